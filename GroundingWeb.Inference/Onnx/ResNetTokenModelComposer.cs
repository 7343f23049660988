namespace GroundingWeb.Inference.Onnx;

/// <summary>
/// Builds the demo vision encoder from the two ONNX files of Microsoft.ML.DnnImageFeaturizer.ResNet18:
/// its preprocessing graph (RGB 0-255 to BGR minus a mean image) followed by ResNet-18 cut before
/// the global pool, whose last 7x7 feature map is returned as 49 tokens of width 512.
/// Nodes and weights are copied byte for byte; only the glue is new.
/// </summary>
internal static class ResNetTokenModelComposer
{
    public const string InputName = "pixels";
    public const string OutputName = "image_tokens";

    private const string PreprocessInput = "OriginalInput";
    private const string PreprocessOutput = "PreprocessedInput";
    private const string ResNetInput = "Input247";
    private const string FeatureMap = "ReLU393_Output_0";
    private const string PooledOutput = "Pooling395_Output_0";
    private const int Channels = 512, MapSide = 7, ImageSide = 224;

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
        graph.Message(1, Node("Reshape", [FeatureMap, "token_shape"], ["feature_map_flat"], "map_to_sequence"));
        graph.Message(1, Node("Transpose", ["feature_map_flat"], [OutputName], "channels_last", w => w.Message(5, a =>
        {
            a.String(1, "perm");
            a.PackedInt64(8, [0, 2, 1]);
            a.Int64(20, 7);
        })));
        graph.String(2, "resnet18_spatial_tokens");
        CopyFields(preprocessGraph, graph, fieldNumber: 5);
        CopyFields(resNetGraph, graph, fieldNumber: 5);
        graph.Message(5, t =>
        {
            t.PackedInt64(1, [3]);
            t.Int64(2, 7);
            t.String(8, "token_shape");
            t.PackedInt64(7, [1, Channels, MapSide * MapSide]);
        });
        graph.Message(11, ValueInfo(InputName, [1, 3, ImageSide, ImageSide]));
        graph.Message(12, ValueInfo(OutputName, [1, MapSide * MapSide, Channels]));

        var model = new ProtoWriter();
        model.Int64(1, 4);
        model.String(2, "GroundingWeb demo materialiser");
        model.Message(7, graph);
        model.Message(8, o => { o.String(1, ""); o.Int64(2, 8); });
        return model.ToArray();
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
