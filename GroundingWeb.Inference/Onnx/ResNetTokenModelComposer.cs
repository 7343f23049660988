namespace GroundingWeb.Inference.Onnx;

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
/// head's attention is blind to token order). Nodes and weights are copied byte for byte; only the
/// glue is new.
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

        var graph = new ProtoWriter();
        graph.Message(1, Node("Identity", [InputName], [PreprocessInput], "pixels_in"));
        CopyFields(preprocessGraph, graph, fieldNumber: 1);
        graph.Message(1, Node("Identity", [PreprocessOutput], [ResNetInput], "preprocessed_to_resnet"));
        foreach (var node in ProtoReader.Fields(resNetGraph).Where(f => f.Number == 1))
        {
            // The global average pool is replaced by the token view of the map it pooled.
            if (!NodeOutputs(node.Payload).Contains(PooledOutput))
            {
                graph.Raw(node.Encoded.Span);
            }
        }
        graph.Message(1, Node("Upsample", [Layer4Map], ["layer4_14x14"], "layer4_to_14x14", w =>
        {
            w.Message(5, a => { a.String(1, "mode"); a.String(4, "nearest"); a.Int64(20, 3); });
            w.Message(5, a => { a.String(1, "scales"); a.PackedFloat(7, [1f, 1f, 2f, 2f]); a.Int64(20, 6); });
        }));
        // Colours straight from the RGB 0-255 input: block means, to [-1, 1], each cell's 4x4 blocks as channels.
        graph.Message(1, Node("AveragePool", [InputName], ["colour_blocks"], "colour_block_means", w =>
        {
            w.Message(5, a => { a.String(1, "kernel_shape"); a.PackedInt64(8, [ColourBlock, ColourBlock]); a.Int64(20, 7); });
            w.Message(5, a => { a.String(1, "strides"); a.PackedInt64(8, [ColourBlock, ColourBlock]); a.Int64(20, 7); });
        }));
        graph.Message(1, Node("Sub", ["colour_blocks", "colour_mid"], ["colour_centred"], "colour_centre"));
        graph.Message(1, Node("Mul", ["colour_centred", "colour_scale"], ["colour_scaled"], "colour_to_unit"));
        graph.Message(1, Node("SpaceToDepth", ["colour_scaled"], ["colour_cells"], "colour_blocks_per_cell",
            w => w.Message(5, a => { a.String(1, "blocksize"); a.Int64(3, ColourBlocksPerSide); a.Int64(20, 2); })));
        graph.Message(1, Node("Concat", ["layer4_14x14", Layer3Map, "colour_cells", "position_code"], ["feature_map"], "join_groups",
            w => w.Message(5, a => { a.String(1, "axis"); a.Int64(3, 1); a.Int64(20, 2); })));
        graph.Message(1, Node("Mul", ["feature_map", "channel_scale"], ["feature_map_scaled"], "scale_groups"));
        graph.Message(1, Node("Reshape", ["feature_map_scaled", "token_shape"], ["feature_map_flat"], "map_to_sequence"));
        graph.Message(1, Node("Transpose", ["feature_map_flat"], [OutputName], "channels_last",
            w => w.Message(5, a => { a.String(1, "perm"); a.PackedInt64(8, [0, 2, 1]); a.Int64(20, 7); })));
        graph.String(2, "resnet18_spatial_tokens");
        CopyFields(preprocessGraph, graph, fieldNumber: 5);
        CopyFields(resNetGraph, graph, fieldNumber: 5);
        graph.Message(5, t =>
        {
            t.PackedInt64(1, [3]);
            t.Int64(2, 7);
            t.String(8, "token_shape");
            t.PackedInt64(7, [1, Width, Tokens]);
        });
        graph.Message(5, FloatTensor("colour_mid", [1], [127.5f]));
        graph.Message(5, FloatTensor("colour_scale", [1], [1f / 127.5f]));
        graph.Message(5, FloatTensor("position_code", [1, PositionChannels, GridSide, GridSide], PositionCode()));
        graph.Message(5, FloatTensor("channel_scale", [1, Width, 1, 1], ChannelScale()));
        graph.Message(11, ValueInfo(InputName, [1, 3, ImageSide, ImageSide]));
        graph.Message(12, ValueInfo(OutputName, [1, Tokens, Width]));

        var model = new ProtoWriter();
        model.Int64(1, 4);
        model.String(2, "GroundingWeb demo materialiser");
        model.Message(7, graph);
        model.Message(8, o => { o.String(1, ""); o.Int64(2, 8); });
        return model.ToArray();
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

    private static Action<ProtoWriter> FloatTensor(string name, long[] dims, float[] values) => t =>
    {
        t.PackedInt64(1, dims);
        t.Int64(2, 1);
        t.String(8, name);
        t.Bytes(9, System.Runtime.InteropServices.MemoryMarshal.AsBytes(values.AsSpan()));
    };

    private static ReadOnlyMemory<byte> GraphOf(ReadOnlyMemory<byte> model, string what)
    {
        foreach (var field in ProtoReader.Fields(model))
        {
            if (field.Number == 7)
            {
                return field.Payload;
            }
        }
        throw new InvalidDataException($"{what} holds no graph: is it an ONNX model?");
    }

    private static void CopyFields(ReadOnlyMemory<byte> message, ProtoWriter target, int fieldNumber)
    {
        foreach (var field in ProtoReader.Fields(message).Where(f => f.Number == fieldNumber))
        {
            target.Raw(field.Encoded.Span);
        }
    }

    private static List<string> NodeOutputs(ReadOnlyMemory<byte> node) =>
        ProtoReader.Fields(node).Where(f => f.Number == 2).Select(f => f.AsString()).ToList();

    private static ProtoWriter Node(string op, string[] inputs, string[] outputs, string name, Action<ProtoWriter>? attributes = null)
    {
        var node = new ProtoWriter();
        foreach (var input in inputs) node.String(1, input);
        foreach (var output in outputs) node.String(2, output);
        node.String(3, name);
        node.String(4, op);
        attributes?.Invoke(node);
        return node;
    }

    private static ProtoWriter ValueInfo(string name, long[] dims)
    {
        var info = new ProtoWriter();
        info.String(1, name);
        info.Message(2, type => type.Message(1, tensor =>
        {
            tensor.Int64(1, 1);
            tensor.Message(2, shape =>
            {
                foreach (var dim in dims)
                {
                    shape.Message(1, d => d.Int64(1, dim));
                }
            });
        }));
        return info;
    }
}
