using System.Runtime.InteropServices;

namespace GroundingWeb.Inference.Onnx;

/// <summary>ONNX TensorProto.DataType values used here.</summary>
internal enum OnnxElementType
{
    Float = 1,
    Int64 = 7,
}

/// <summary>One dimension of a graph input or output: a fixed size or a symbolic name.</summary>
internal readonly record struct OnnxDim(long? Value, string? Symbol)
{
    public static implicit operator OnnxDim(long value) => new(value, null);

    public static implicit operator OnnxDim(string symbol) => new(null, symbol);
}

/// <summary>A node attribute (AttributeProto) of one of the kinds this builder writes.</summary>
internal sealed record OnnxAttribute(string Name, long? Int = null, float? Float = null, string? String = null, long[]? Ints = null)
{
    public static OnnxAttribute Of(string name, long value) => new(name, Int: value);

    public static OnnxAttribute Of(string name, float value) => new(name, Float: value);

    public static OnnxAttribute Of(string name, string value) => new(name, String: value);

    public static OnnxAttribute Of(string name, params long[] values) => new(name, Ints: values);
}

/// <summary>
/// Builds an ONNX ModelProto with <see cref="ProtoWriter"/>: graph inputs/outputs, initializers and
/// nodes; tensor names for intermediate values are generated unless given.
/// </summary>
internal sealed class OnnxGraphBuilder
{
    // ModelProto fields.
    private const int ModelIrVersion = 1, ModelProducerName = 2, ModelGraph = 7, ModelOpsetImport = 8, ModelMetadataProps = 14;
    // GraphProto fields.
    private const int GraphNode = 1, GraphName = 2, GraphInitializer = 5, GraphInput = 11, GraphOutput = 12;
    // NodeProto fields.
    private const int NodeInput = 1, NodeOutput = 2, NodeName = 3, NodeOpType = 4, NodeAttribute = 5;
    // AttributeProto fields and AttributeType values.
    private const int AttrName = 1, AttrF = 2, AttrI = 3, AttrS = 4, AttrInts = 8, AttrType = 20;
    private const int AttrTypeFloat = 1, AttrTypeInt = 2, AttrTypeString = 3, AttrTypeInts = 7;
    // TensorProto fields.
    private const int TensorDims = 1, TensorDataType = 2, TensorName = 8, TensorRawData = 9;

    /// <summary>IR version 8 is the one that goes with opset 17 (ONNX 1.12).</summary>
    private const long IrVersion = 8;

    private readonly ProtoWriter _graph = new();
    private readonly HashSet<string> _names = new(StringComparer.Ordinal);
    private readonly Dictionary<string, int> _counters = new(StringComparer.Ordinal);
    private readonly List<(string Key, string Value)> _metadata = [];

    public void Input(string name, OnnxElementType type, params OnnxDim[] dims)
    {
        Claim(name);
        _graph.Message(GraphInput, w => ValueInfo(w, name, type, dims));
    }

    public void Output(string name, OnnxElementType type, params OnnxDim[] dims) =>
        _graph.Message(GraphOutput, w => ValueInfo(w, name, type, dims));

    public string Initializer(string name, ReadOnlySpan<int> shape, ReadOnlySpan<float> data) =>
        Initializer(name, shape, OnnxElementType.Float, MemoryMarshal.AsBytes(data));

    public string Initializer(string name, ReadOnlySpan<int> shape, ReadOnlySpan<long> data) =>
        Initializer(name, shape, OnnxElementType.Int64, MemoryMarshal.AsBytes(data));

    /// <summary>A one-dimensional int64 constant such as a Reshape shape or Unsqueeze axes.</summary>
    public string Int64Constant(string name, params long[] values) => Initializer(name, [values.Length], values);

    public void Metadata(string key, string value) => _metadata.Add((key, value));

    /// <summary>Adds a node with one output and returns the output's name.</summary>
    public string Node(string opType, IReadOnlyList<string> inputs, string? output = null, params OnnxAttribute[] attributes) =>
        NodeMulti(opType, inputs, output is null ? 1 : 0, output is null ? [] : [output], attributes)[0];

    /// <summary>Adds a node whose outputs are either the given names or <paramref name="generatedOutputs"/> generated ones.</summary>
    public IReadOnlyList<string> NodeMulti(string opType, IReadOnlyList<string> inputs, int generatedOutputs, IReadOnlyList<string> outputs, params OnnxAttribute[] attributes)
    {
        var nodeName = Unique(opType);
        var outputNames = outputs.Count > 0
            ? outputs.ToArray()
            : Enumerable.Range(0, generatedOutputs).Select(i => $"{nodeName}_out{i}").ToArray();
        foreach (var output in outputNames)
        {
            Claim(output);
        }
        _graph.Message(GraphNode, w =>
        {
            foreach (var input in inputs)
            {
                w.String(NodeInput, input);
            }
            foreach (var output in outputNames)
            {
                w.String(NodeOutput, output);
            }
            w.String(NodeName, nodeName);
            w.String(NodeOpType, opType);
            foreach (var attribute in attributes)
            {
                w.Message(NodeAttribute, a => Attribute(a, attribute));
            }
        });
        return outputNames;
    }

    /// <summary>Serialises the model: IR version 8, the default-domain opset, the graph and metadata.</summary>
    public byte[] Build(string graphName, string producer, long opset)
    {
        var model = new ProtoWriter();
        model.Int64(ModelIrVersion, IrVersion);
        model.String(ModelProducerName, producer);
        _graph.String(GraphName, graphName);
        model.Message(ModelGraph, _graph);
        model.Message(ModelOpsetImport, w =>
        {
            w.String(1, string.Empty);
            w.Int64(2, opset);
        });
        foreach (var (key, value) in _metadata)
        {
            model.Message(ModelMetadataProps, w =>
            {
                w.String(1, key);
                w.String(2, value);
            });
        }
        return model.ToArray();
    }

    private string Initializer(string name, ReadOnlySpan<int> shape, OnnxElementType type, ReadOnlySpan<byte> raw)
    {
        Claim(name);
        var tensor = new ProtoWriter();
        var dims = shape.ToArray();
        if (dims.Length > 0)
        {
            tensor.PackedInt64(TensorDims, dims.Select(d => (long)d));
        }
        tensor.Int64(TensorDataType, (long)type);
        tensor.String(TensorName, name);
        // raw_data is little-endian by the ONNX spec, which is what MemoryMarshal gives on x64/arm64.
        tensor.Bytes(TensorRawData, raw);
        _graph.Message(GraphInitializer, tensor);
        return name;
    }

    private static void ValueInfo(ProtoWriter w, string name, OnnxElementType type, OnnxDim[] dims)
    {
        w.String(1, name);
        w.Message(2, typeProto => typeProto.Message(1, tensorType =>
        {
            tensorType.Int64(1, (long)type);
            tensorType.Message(2, shape =>
            {
                foreach (var dim in dims)
                {
                    shape.Message(1, d =>
                    {
                        if (dim.Symbol is { } symbol)
                        {
                            d.String(2, symbol);
                        }
                        else
                        {
                            d.Int64(1, dim.Value ?? 0);
                        }
                    });
                }
            });
        }));
    }

    private static void Attribute(ProtoWriter w, OnnxAttribute attribute)
    {
        w.String(AttrName, attribute.Name);
        if (attribute.Int is { } i)
        {
            w.Int64(AttrI, i);
            w.Int64(AttrType, AttrTypeInt);
        }
        else if (attribute.Float is { } f)
        {
            w.Float(AttrF, f);
            w.Int64(AttrType, AttrTypeFloat);
        }
        else if (attribute.String is { } s)
        {
            w.String(AttrS, s);
            w.Int64(AttrType, AttrTypeString);
        }
        else if (attribute.Ints is { } ints)
        {
            w.PackedInt64(AttrInts, ints);
            w.Int64(AttrType, AttrTypeInts);
        }
        else
        {
            throw new InvalidOperationException($"Attribute '{attribute.Name}' has no value.");
        }
    }

    private string Unique(string prefix)
    {
        var n = _counters.GetValueOrDefault(prefix);
        _counters[prefix] = n + 1;
        return $"{prefix}_{n}";
    }

    private void Claim(string name)
    {
        if (!_names.Add(name))
        {
            throw new InvalidOperationException($"ONNX tensor name '{name}' is defined twice.");
        }
    }
}
