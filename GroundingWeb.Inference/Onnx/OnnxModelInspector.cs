namespace GroundingWeb.Inference.Onnx;

/// <summary>
/// Reads facts out of an ONNX file that ONNX Runtime's metadata does not expose, such as the size
/// of a text encoder's token embedding table.
/// </summary>
internal static class OnnxModelInspector
{
    private const int ModelGraph = 7, GraphNode = 1, GraphInitializer = 5;
    private const int NodeInput = 1, NodeOutput = 2, NodeOpType = 4;
    private const int TensorDims = 1, TensorName = 8;

    /// <summary>
    /// Rows of the embedding table that <paramref name="idsInput"/> indexes (a Gather whose indices
    /// are the ids, possibly through a Cast), or null when the graph has no such pattern.
    /// </summary>
    public static long? FindEmbeddingRows(string onnxPath, string idsInput)
    {
        var model = File.ReadAllBytes(onnxPath);
        var graph = ProtoReader.Fields(model).FirstOrDefault(f => f.Number == ModelGraph).Payload;
        var nodes = new List<(string Op, string[] Inputs, string[] Outputs)>();
        var initializerDims = new Dictionary<string, long[]>();
        foreach (var field in ProtoReader.Fields(graph))
        {
            if (field.Number == GraphNode)
            {
                nodes.Add(ReadNode(field.Payload));
            }
            else if (field.Number == GraphInitializer)
            {
                var (name, dims) = ReadTensorHeader(field.Payload);
                initializerDims[name] = dims;
            }
        }
        var idNames = new HashSet<string> { idsInput };
        foreach (var node in nodes.Where(n => n.Op is "Cast" or "Identity" && n.Inputs.Length > 0 && n.Inputs[0] == idsInput))
        {
            idNames.UnionWith(node.Outputs);
        }
        foreach (var node in nodes.Where(n => n.Op == "Gather" && n.Inputs.Length == 2 && idNames.Contains(n.Inputs[1])))
        {
            if (initializerDims.TryGetValue(node.Inputs[0], out var dims) && dims.Length == 2)
            {
                return dims[0];
            }
        }
        return null;
    }

    private static (string Op, string[] Inputs, string[] Outputs) ReadNode(ReadOnlyMemory<byte> node)
    {
        var op = "";
        var inputs = new List<string>();
        var outputs = new List<string>();
        foreach (var field in ProtoReader.Fields(node))
        {
            switch (field.Number)
            {
                case NodeInput: inputs.Add(field.AsString()); break;
                case NodeOutput: outputs.Add(field.AsString()); break;
                case NodeOpType: op = field.AsString(); break;
            }
        }
        return (op, inputs.ToArray(), outputs.ToArray());
    }

    internal static (string Name, long[] Dims) ReadTensorHeader(ReadOnlyMemory<byte> tensor)
    {
        var name = "";
        var dims = new List<long>();
        foreach (var field in ProtoReader.Fields(tensor))
        {
            if (field.Number == TensorName)
            {
                name = field.AsString();
            }
            else if (field.Number == TensorDims)
            {
                if (field.WireType == WireType.Varint)
                {
                    dims.Add((long)field.Varint);
                }
                else
                {
                    // Packed repeated int64.
                    dims.AddRange(ProtoReader.Fields(PackedAsFields(field.Payload)).Select(f => (long)f.Varint));
                }
            }
        }
        return (name, dims.ToArray());
    }

    // A packed run of varints reads as a run of field-1 varints once each gets a tag byte.
    private static ReadOnlyMemory<byte> PackedAsFields(ReadOnlyMemory<byte> packed)
    {
        var span = packed.Span;
        var result = new List<byte>(span.Length * 2);
        var startOfValue = true;
        foreach (var b in span)
        {
            if (startOfValue)
            {
                result.Add(0x08);
            }
            result.Add(b);
            startOfValue = b < 0x80;
        }
        return result.ToArray();
    }
}
