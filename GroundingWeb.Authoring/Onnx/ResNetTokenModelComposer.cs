using Google.Protobuf;
using Onnx;
using DataType = Onnx.TensorProto.Types.DataType;

namespace GroundingWeb.Authoring.Onnx;

/// <summary>
/// Builds the demo vision encoder from the two ONNX files of Microsoft.ML.DnnImageFeaturizer.ResNet18:
/// its preprocessing graph (RGB 0-255 to BGR minus a mean image) followed by ResNet-18 cut before
/// the global pool. Each of the 196 tokens (a 16x16-pixel cell of the 224x224 input, like DINOv3's
/// patch tokens) joins four channel groups: layer 4's map (512, upsampled from 7x7), layer 3's map
/// (256), the cell's colours as 4x4-pixel block means (48: block row r, column c at channels
/// (4r + c) * 3 + R, G, B) and a position code (34).
/// ResNet's deep maps alone lose the exact colours and the outline of small shapes that referring
/// expressions and tight boxes need. The position code has channels of its own because one added
/// onto the features drowned in them (a CNN's features do not say where they are, and the fusion
/// head's attention is blind to token order). The package's nodes and weights are copied unchanged;
/// only the glue is new.
/// </summary>
internal static class ResNetTokenModelComposer
{
    public const string InputName = "pixels";
    public const string OutputName = "image_tokens";

    private const string PreprocessInput = "OriginalInput";
    private const string PreprocessOutput = "PreprocessedInput";
    private const string ResNetInput = "Input247";
    private const string Layer4Map = "ReLU393_Output_0";
    private const string Layer3Map = "ReLU347_Output_0";
    private const string PooledOutput = "Pooling395_Output_0";
    private const int ImageSide = 224;

    public const int Layer4Channels = 512, Layer3Channels = 256, GridSide = 14, Tokens = GridSide * GridSide;

    /// <summary>Side in pixels of the blocks whose mean colour a token carries (4x4 blocks per 16-pixel cell).</summary>
    public const int ColourBlock = 4;

    public const int ColourBlocksPerSide = ImageSide / GridSide / ColourBlock, ColourChannels = 3 * ColourBlocksPerSide * ColourBlocksPerSide;

    /// <summary>Sine-cosine frequencies per axis in the position code, next to one linear ramp per axis.</summary>
    public const int PositionFrequencies = 8;

    public const int PositionChannels = 2 * (1 + 2 * PositionFrequencies);

    /// <summary>First channel of each group in a token.</summary>
    public const int Layer4Start = 0, Layer3Start = Layer4Channels, ColourStart = Layer3Start + Layer3Channels,
        PositionStart = ColourStart + ColourChannels, Width = PositionStart + PositionChannels;

    // Root-mean-square of the two ResNet maps measured on RefShapes images (2.5 and 1.1): scaled to
    // about 1 like the colour and position channels, so no group dominates the head's projection.
    public const float Layer4Scale = 0.4f, Layer3Scale = 0.9f;

    public static byte[] Compose(ReadOnlyMemory<byte> preprocessModel, ReadOnlyMemory<byte> resNetModel)
    {
        var preprocessGraph = GraphOf(preprocessModel, "ResNetPreprocess.onnx");
        var resNetGraph = GraphOf(resNetModel, "ResNet18.onnx");

        var g = new OnnxGraphBuilder();
        g.Input(InputName, DataType.Float, 1, 3, ImageSide, ImageSide);
        g.Node("Identity", [InputName], PreprocessInput);
        g.Append(preprocessGraph);
        g.Node("Identity", [PreprocessOutput], ResNetInput);
        // The global average pool is replaced by the token view of the map it pooled.
        g.Append(resNetGraph, node => !node.Output.Contains(PooledOutput));
        g.Node("Upsample", [Layer4Map], "layer4_14x14",
            OnnxAttribute.Of("mode", "nearest"), OnnxAttribute.Floats("scales", 1f, 1f, 2f, 2f));
        // Colours straight from the RGB 0-255 input: block means, to [-1, 1], each cell's 4x4 blocks as channels.
        g.Node("AveragePool", [InputName], "colour_blocks",
            OnnxAttribute.Of("kernel_shape", ColourBlock, ColourBlock), OnnxAttribute.Of("strides", ColourBlock, ColourBlock));
        var colourMid = g.Initializer("colour_mid", [1], [127.5f]);
        var colourScale = g.Initializer("colour_scale", [1], [1f / 127.5f]);
        g.Node("Sub", ["colour_blocks", colourMid], "colour_centred");
        g.Node("Mul", ["colour_centred", colourScale], "colour_scaled");
        g.Node("SpaceToDepth", ["colour_scaled"], "colour_cells", OnnxAttribute.Of("blocksize", (long)ColourBlocksPerSide));
        var position = g.Initializer("position_code", [1, PositionChannels, GridSide, GridSide], PositionCode());
        g.Node("Concat", ["layer4_14x14", Layer3Map, "colour_cells", position], "feature_map", OnnxAttribute.Of("axis", 1L));
        g.Node("Mul", ["feature_map", g.Initializer("channel_scale", [1, Width, 1, 1], ChannelScale())], "feature_map_scaled");
        g.Node("Reshape", ["feature_map_scaled", g.Int64Constant("token_shape", 1, Width, Tokens)], "feature_map_flat");
        g.Node("Transpose", ["feature_map_flat"], OutputName, OnnxAttribute.Of("perm", 0, 2, 1));
        g.Output(OutputName, DataType.Float, 1, Tokens, Width);
        // The package's models are opset 8 (IR version 4); the glue uses nothing newer.
        return g.Build("resnet18_spatial_tokens", "GroundingWeb demo materialiser", opset: 8, irVersion: 4).ToByteArray();
    }

    /// <summary>
    /// The position code in channel-major layout [channels, row, column]: per axis (row, then column)
    /// a ramp from -1 to 1 over the cell centres, which attention can average into a coordinate, then
    /// sin and cos of pi*k*(cell centre) for k = 1..8, which tell neighbouring cells apart sharply.
    /// </summary>
    public static float[] PositionCode()
    {
        var code = new float[PositionChannels * Tokens];
        const int perAxis = 1 + 2 * PositionFrequencies;
        for (var y = 0; y < GridSide; y++)
        for (var x = 0; x < GridSide; x++)
        {
            for (var axis = 0; axis < 2; axis++)
            {
                var centre = ((axis == 0 ? y : x) + 0.5) / GridSide;
                var channel = axis * perAxis;
                Set(channel, centre * 2 - 1);
                for (var k = 1; k <= PositionFrequencies; k++)
                {
                    Set(channel + 2 * k - 1, Math.Sin(Math.PI * k * centre));
                    Set(channel + 2 * k, Math.Cos(Math.PI * k * centre));
                }
            }

            void Set(int channel, double value) => code[(channel * GridSide + y) * GridSide + x] = (float)value;
        }
        return code;
    }

    private static float[] ChannelScale()
    {
        var scale = new float[Width];
        Array.Fill(scale, 1f);
        Array.Fill(scale, Layer4Scale, Layer4Start, Layer4Channels);
        Array.Fill(scale, Layer3Scale, Layer3Start, Layer3Channels);
        return scale;
    }

    private static GraphProto GraphOf(ReadOnlyMemory<byte> model, string what)
    {
        try
        {
            return ModelProto.Parser.ParseFrom(model.Span).Graph
                ?? throw new InvalidDataException($"{what} holds no graph: is it an ONNX model?");
        }
        catch (InvalidProtocolBufferException ex)
        {
            throw new InvalidDataException($"{what} is not an ONNX model: {ex.Message}", ex);
        }
    }
}
