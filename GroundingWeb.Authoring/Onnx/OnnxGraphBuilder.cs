using System.Runtime.InteropServices;
using Google.Protobuf;
using Onnx;
using DataType = Onnx.TensorProto.Types.DataType;

namespace GroundingWeb.Authoring.Onnx;

/// <summary>One dimension of a graph input or output: a fixed size or a symbolic name.</summary>
internal readonly record struct OnnxDim(long? Value, string? Symbol)
{
    public static implicit operator OnnxDim(long value) => new(value, null);

    public static implicit operator OnnxDim(string symbol) => new(null, symbol);
}

/// <summary>Node attributes (AttributeProto) of the kinds the graphs here use.</summary>
internal static class OnnxAttribute
{
    public static AttributeProto Of(string name, long value) => new() { Name = name, Type = AttributeProto.Types.AttributeType.Int, I = value };

    public static AttributeProto Of(string name, float value) => new() { Name = name, Type = AttributeProto.Types.AttributeType.Float, F = value };

    public static AttributeProto Of(string name, string value) =>
        new() { Name = name, Type = AttributeProto.Types.AttributeType.String, S = ByteString.CopyFromUtf8(value) };

    public static AttributeProto Of(string name, params long[] values)
    {
        var attribute = new AttributeProto { Name = name, Type = AttributeProto.Types.AttributeType.Ints };
        attribute.Ints.AddRange(values);
        return attribute;
    }

    public static AttributeProto Floats(string name, params float[] values)
    {
        var attribute = new AttributeProto { Name = name, Type = AttributeProto.Types.AttributeType.Floats };
        attribute.Floats.AddRange(values);
        return attribute;
    }
}

/// <summary>
/// Builds an ONNX ModelProto on the schema's generated classes: graph inputs and outputs,
/// initializers, nodes (written or copied from another model); names of intermediate values are
/// generated unless given, and no name may be defined twice.
/// </summary>
internal sealed class OnnxGraphBuilder
{
    /// <summary>IR version 8 is the one that goes with opset 17 (ONNX 1.12).</summary>
    public const long DefaultIrVersion = 8;

    private readonly GraphProto _graph = new();
    private readonly HashSet<string> _names = new(StringComparer.Ordinal);
    private readonly Dictionary<string, int> _counters = new(StringComparer.Ordinal);
    private readonly List<StringStringEntryProto> _metadata = [];

    public void Input(string name, DataType type, params OnnxDim[] dims)
    {
        Claim(name);
        _graph.Input.Add(ValueInfo(name, type, dims));
    }

    public void Output(string name, DataType type, params OnnxDim[] dims) => _graph.Output.Add(ValueInfo(name, type, dims));

    public string Initializer(string name, ReadOnlySpan<int> shape, ReadOnlySpan<float> data) =>
        Initializer(name, shape, DataType.Float, MemoryMarshal.AsBytes(data));

    public string Initializer(string name, ReadOnlySpan<int> shape, ReadOnlySpan<long> data) =>
        Initializer(name, shape, DataType.Int64, MemoryMarshal.AsBytes(data));

    /// <summary>A one-dimensional int64 constant such as a Reshape shape or Unsqueeze axes.</summary>
    public string Int64Constant(string name, params long[] values) => Initializer(name, [values.Length], values);

    /// <summary>
    /// An initializer whose bytes sit in an external data file beside the model (the ONNX
    /// external-data convention: location relative to the model, byte offset and length).
    /// </summary>
    public string ExternalInitializer(string name, ReadOnlySpan<int> shape, DataType type, string location, long offset, long length)
    {
        Claim(name);
        var tensor = new TensorProto { Name = name, DataType = (int)type, DataLocation = TensorProto.Types.DataLocation.External };
        foreach (var dim in shape)
        {
            tensor.Dims.Add(dim);
        }
        tensor.ExternalData.Add(new StringStringEntryProto { Key = "location", Value = location });
        tensor.ExternalData.Add(new StringStringEntryProto { Key = "offset", Value = offset.ToString(System.Globalization.CultureInfo.InvariantCulture) });
        tensor.ExternalData.Add(new StringStringEntryProto { Key = "length", Value = length.ToString(System.Globalization.CultureInfo.InvariantCulture) });
        _graph.Initializer.Add(tensor);
        return name;
    }

    /// <summary>A Constant node (not an initializer, so it is not counted as a parameter); returns its output.</summary>
    public string ConstantNode(ReadOnlySpan<int> shape, ReadOnlySpan<float> data) => ConstantNode(shape, DataType.Float, MemoryMarshal.AsBytes(data));

    /// <inheritdoc cref="ConstantNode(ReadOnlySpan{int}, ReadOnlySpan{float})"/>
    public string ConstantNode(ReadOnlySpan<int> shape, ReadOnlySpan<long> data) => ConstantNode(shape, DataType.Int64, MemoryMarshal.AsBytes(data));

    public void Metadata(string key, string value) => _metadata.Add(new StringStringEntryProto { Key = key, Value = value });

    /// <summary>Adds a node with one output and returns the output's name.</summary>
    public string Node(string opType, IReadOnlyList<string> inputs, string? output = null, params AttributeProto[] attributes) =>
        NodeMulti(opType, inputs, output is null ? 1 : 0, output is null ? [] : [output], attributes)[0];

    /// <summary>Adds a node whose outputs are either the given names or <paramref name="generatedOutputs"/> generated ones.</summary>
    public IReadOnlyList<string> NodeMulti(string opType, IReadOnlyList<string> inputs, int generatedOutputs, IReadOnlyList<string> outputs, params AttributeProto[] attributes)
    {
        var node = new NodeProto { Name = Unique(opType), OpType = opType };
        node.Input.AddRange(inputs);
        node.Output.AddRange(outputs.Count > 0 ? outputs : Enumerable.Range(0, generatedOutputs).Select(i => $"{node.Name}_out{i}"));
        node.Attribute.AddRange(attributes);
        Add(node);
        return node.Output;
    }

    /// <summary>Copies the nodes (those <paramref name="keep"/> accepts) and every initializer of another model's graph.</summary>
    public void Append(GraphProto source, Func<NodeProto, bool>? keep = null)
    {
        foreach (var node in source.Node.Where(n => keep?.Invoke(n) ?? true))
        {
            Add(node.Clone());
        }
        foreach (var tensor in source.Initializer)
        {
            Claim(tensor.Name);
            _graph.Initializer.Add(tensor.Clone());
        }
    }

    /// <summary>The model: the default-domain opset, the graph and the metadata.</summary>
    public ModelProto Build(string graphName, string producer, long opset, long irVersion = DefaultIrVersion)
    {
        var graph = _graph.Clone();
        graph.Name = graphName;
        var model = new ModelProto { IrVersion = irVersion, ProducerName = producer, Graph = graph };
        model.OpsetImport.Add(new OperatorSetIdProto { Domain = "", Version = opset });
        model.MetadataProps.AddRange(_metadata.Select(e => e.Clone()));
        return model;
    }

    private void Add(NodeProto node)
    {
        foreach (var output in node.Output)
        {
            Claim(output);
        }
        _graph.Node.Add(node);
    }

    private string Initializer(string name, ReadOnlySpan<int> shape, DataType type, ReadOnlySpan<byte> raw)
    {
        Claim(name);
        // raw_data is little-endian by the ONNX spec, which is what MemoryMarshal gives on x64/arm64.
        var tensor = new TensorProto { Name = name, DataType = (int)type, RawData = ByteString.CopyFrom(raw) };
        foreach (var dim in shape)
        {
            tensor.Dims.Add(dim);
        }
        _graph.Initializer.Add(tensor);
        return name;
    }

    private string ConstantNode(ReadOnlySpan<int> shape, DataType type, ReadOnlySpan<byte> raw)
    {
        var tensor = new TensorProto { DataType = (int)type, RawData = ByteString.CopyFrom(raw) };
        foreach (var dim in shape)
        {
            tensor.Dims.Add(dim);
        }
        var attribute = new AttributeProto { Name = "value", Type = AttributeProto.Types.AttributeType.Tensor, T = tensor };
        return Node("Constant", [], null, attribute);
    }

    private static ValueInfoProto ValueInfo(string name, DataType type, OnnxDim[] dims)
    {
        var shape = new TensorShapeProto();
        foreach (var dim in dims)
        {
            shape.Dim.Add(dim.Symbol is { } symbol
                ? new TensorShapeProto.Types.Dimension { DimParam = symbol }
                : new TensorShapeProto.Types.Dimension { DimValue = dim.Value ?? 0 });
        }
        return new ValueInfoProto
        {
            Name = name,
            Type = new TypeProto { TensorType = new TypeProto.Types.Tensor { ElemType = (int)type, Shape = shape } },
        };
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
