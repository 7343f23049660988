namespace GroundingWeb.Inference.Onnx;

/// <summary>
/// Builds the demo vision encoder from the two ONNX files of Microsoft.ML.DnnImageFeaturizer.ResNet18:
/// its preprocessing graph (RGB 0-255 to BGR minus a mean image) followed by ResNet-18 cut before
/// the global pool. Tokens are the 14x14 cells of layer 4's map (512 channels, upsampled from 7x7)
/// next to layer 3's map (256 channels): 196 tokens of width 768, like DINOv3's patch tokens.
/// A fixed 2-D sine-cosine position code is added because, unlike DINOv3's, a CNN's features do
/// not say where they are, and the fusion head's attention is blind to token order.
/// Nodes and weights are copied byte for byte; only the glue is new.
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

    public const int Layer4Channels = 512, Layer3Channels = 256, GridSide = 14;
    public const int Width = Layer4Channels + Layer3Channels, Tokens = GridSide * GridSide;

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
        graph.Message(1, Node("Concat", ["layer4_14x14", Layer3Map], ["feature_map"], "join_layers",
            w => w.Message(5, a => { a.String(1, "axis"); a.Int64(3, 1); a.Int64(20, 2); })));
        graph.Message(1, Node("Reshape", ["feature_map", "token_shape"], ["feature_map_flat"], "map_to_sequence"));
        graph.Message(1, Node("Transpose", ["feature_map_flat"], ["map_tokens"], "channels_last",
            w => w.Message(5, a => { a.String(1, "perm"); a.PackedInt64(8, [0, 2, 1]); a.Int64(20, 7); })));
        graph.Message(1, Node("Add", ["map_tokens", "position_code"], [OutputName], "add_position"));
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
        graph.Message(5, t =>
        {
            t.PackedInt64(1, [1, Tokens, Width]);
            t.Int64(2, 1);
            t.String(8, "position_code");
            t.Bytes(9, System.Runtime.InteropServices.MemoryMarshal.AsBytes(PositionCode().AsSpan()));
        });
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
    /// The 2-D sine-cosine code added to each token (as in MAE): the first half of the width encodes
    /// the row, the second the column, each as sin/cos pairs over geometric frequencies. Row-major.
    /// </summary>
    public static float[] PositionCode()
    {
        var code = new float[Tokens * Width];
        const int half = Width / 2, quarter = Width / 4;
        for (var y = 0; y < GridSide; y++)
        for (var x = 0; x < GridSide; x++)
        {
            var token = code.AsSpan((y * GridSide + x) * Width, Width);
            for (var i = 0; i < quarter; i++)
            {
                var omega = 1.0 / Math.Pow(10000, (double)i / quarter);
                token[i] = (float)Math.Sin(y * omega);
                token[quarter + i] = (float)Math.Cos(y * omega);
                token[half + i] = (float)Math.Sin(x * omega);
                token[half + quarter + i] = (float)Math.Cos(x * omega);
            }
        }
        return code;
    }

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
