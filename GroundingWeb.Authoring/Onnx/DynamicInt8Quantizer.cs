using System.Runtime.InteropServices;
using Google.Protobuf;
using Onnx;
using DataType = Onnx.TensorProto.Types.DataType;

namespace GroundingWeb.Authoring.Onnx;

/// <summary>What <see cref="DynamicInt8Quantizer"/> did to a model.</summary>
/// <param name="QuantizedMatMuls">MatMuls whose constant weights became int8.</param>
/// <param name="KeptMatMuls">MatMuls left in float32 (both inputs computed, e.g. attention scores, or weights too small to matter).</param>
/// <param name="WeightBytesBefore">Float32 bytes of the weights that were quantized.</param>
/// <param name="WeightBytesAfter">Their int8 bytes plus the per-column scales.</param>
public sealed record QuantizationSummary(int QuantizedMatMuls, int KeptMatMuls, long WeightBytesBefore, long WeightBytesAfter);

/// <summary>
/// Dynamic int8 quantization of a transformer encoder: every MatMul whose second input is a
/// constant float32 matrix [K, N] becomes ONNX Runtime's <c>com.microsoft.DynamicQuantizeMatMul</c>
/// with the matrix stored as int8 (symmetric, one scale per output column); the activations are
/// quantized to uint8 at run time, per tensor, by the operator itself. On x86 with AVX-512 VNNI
/// (or AVX-VNNI) ONNX Runtime runs these u8 x s8 products with <c>vpdpbusd</c>, without the
/// saturation AVX2's <c>vpmaddubsw</c> path has. Everything else (embeddings, normalisation,
/// attention between activations) stays float32. The result is one self-contained file: weights
/// that sat in an external data file are read from it and written inline.
/// </summary>
public static class DynamicInt8Quantizer
{
    public const string MetadataKey = "groundingweb_quantization";
    private const string MicrosoftDomain = "com.microsoft";

    /// <summary>Weights with fewer elements than this stay float32: quantizing them saves nothing measurable.</summary>
    public const int MinimumWeightElements = 4096;

    /// <summary>Quantizes the model at <paramref name="modelPath"/> (external data beside it is read) and returns the new model's bytes.</summary>
    /// <exception cref="InvalidDataException">Not an ONNX model, an external data file missing or short, or no MatMul to quantize.</exception>
    public static (byte[] Model, QuantizationSummary Summary) Quantize(string modelPath) =>
        Quantize(File.ReadAllBytes(modelPath), Path.GetDirectoryName(Path.GetFullPath(modelPath))!, modelPath);

    /// <summary>Quantizes a model given as bytes; <paramref name="folder"/> holds its external data, if it has any.</summary>
    /// <param name="modelPath">The model's name in messages and in the metadata.</param>
    public static (byte[] Model, QuantizationSummary Summary) Quantize(byte[] modelBytes, string folder, string modelPath)
    {
        ModelProto model;
        try
        {
            model = ModelProto.Parser.ParseFrom(modelBytes);
        }
        catch (InvalidProtocolBufferException ex)
        {
            throw new InvalidDataException($"{modelPath} is not an ONNX model: {ex.Message}", ex);
        }
        if (model.OpsetImport.Any(o => o.Domain == MicrosoftDomain) && model.Graph.Node.Any(n => n.OpType == "DynamicQuantizeMatMul"))
        {
            throw new InvalidDataException($"{modelPath} is already quantized (it has DynamicQuantizeMatMul nodes).");
        }
        var graph = model.Graph;
        InlineExternalData(graph, Path.GetFullPath(folder), modelPath);

        var initializers = graph.Initializer.ToDictionary(t => t.Name, StringComparer.Ordinal);
        var quantized = new Dictionary<string, (string Weights, string Scales)>(StringComparer.Ordinal);
        int done = 0, kept = 0;
        long before = 0, after = 0;
        for (var i = 0; i < graph.Node.Count; i++)
        {
            var node = graph.Node[i];
            if (node.OpType != "MatMul" || node.Domain is not ("" or "ai.onnx"))
            {
                continue;
            }
            if (node.Input.Count != 2 || !initializers.TryGetValue(node.Input[1], out var weight)
                || weight.DataType != (int)DataType.Float || weight.Dims.Count != 2 || weight.Dims[0] * weight.Dims[1] < MinimumWeightElements)
            {
                kept++;
                continue;
            }
            if (!quantized.TryGetValue(weight.Name, out var names))
            {
                var (q, scales) = QuantizeColumns(weight);
                names = (weight.Name + "_int8", weight.Name + "_scale");
                q.Name = names.Weights;
                scales.Name = names.Scales;
                graph.Initializer.Add(q);
                graph.Initializer.Add(scales);
                quantized[weight.Name] = names;
                before += weight.Dims[0] * weight.Dims[1] * sizeof(float);
                after += weight.Dims[0] * weight.Dims[1] + weight.Dims[1] * sizeof(float);
            }
            var replacement = new NodeProto { Name = node.Name, OpType = "DynamicQuantizeMatMul", Domain = MicrosoftDomain };
            replacement.Input.AddRange([node.Input[0], names.Weights, names.Scales]);
            replacement.Output.AddRange(node.Output);
            graph.Node[i] = replacement;
            done++;
        }
        if (done == 0)
        {
            throw new InvalidDataException($"{modelPath} has no MatMul with a constant float32 weight matrix of at least {MinimumWeightElements} elements: nothing to quantize.");
        }
        RemoveUnused(graph);
        if (!model.OpsetImport.Any(o => o.Domain == MicrosoftDomain))
        {
            model.OpsetImport.Add(new OperatorSetIdProto { Domain = MicrosoftDomain, Version = 1 });
        }
        var summary = new QuantizationSummary(done, kept, before, after);
        model.MetadataProps.Add(new StringStringEntryProto
        {
            Key = MetadataKey,
            Value = $"dynamic int8: {done} MatMul weights int8 per output column (DynamicQuantizeMatMul), activations uint8 per tensor at run time; from {Path.GetFileName(modelPath)}",
        });
        return (model.ToByteArray(), summary);
    }

    /// <summary>Symmetric int8 per column: scale[n] = max |W[:, n]| / 127, q = round(W / scale).</summary>
    private static (TensorProto Weights, TensorProto Scales) QuantizeColumns(TensorProto weight)
    {
        var rows = (int)weight.Dims[0];
        var columns = (int)weight.Dims[1];
        ReadOnlySpan<float> values = weight.RawData.Length > 0 ? MemoryMarshal.Cast<byte, float>(weight.RawData.Span) : weight.FloatData.ToArray();
        var scales = new float[columns];
        for (var r = 0; r < rows; r++)
        {
            for (var c = 0; c < columns; c++)
            {
                scales[c] = Math.Max(scales[c], Math.Abs(values[r * columns + c]));
            }
        }
        for (var c = 0; c < columns; c++)
        {
            scales[c] = scales[c] > 0 ? scales[c] / 127f : 1f;
        }
        var q = new byte[rows * columns];
        for (var r = 0; r < rows; r++)
        {
            for (var c = 0; c < columns; c++)
            {
                var v = MathF.Round(values[r * columns + c] / scales[c], MidpointRounding.ToEven);
                q[r * columns + c] = unchecked((byte)(sbyte)Math.Clamp(v, -127f, 127f));
            }
        }
        var weights = new TensorProto { DataType = (int)DataType.Int8, RawData = ByteString.CopyFrom(q) };
        weights.Dims.AddRange([rows, columns]);
        var scaleTensor = new TensorProto { DataType = (int)DataType.Float, RawData = ByteString.CopyFrom(MemoryMarshal.AsBytes(scales.AsSpan())) };
        scaleTensor.Dims.Add(columns);
        return (weights, scaleTensor);
    }

    /// <summary>Reads every initializer kept in an external data file into the model itself.</summary>
    private static void InlineExternalData(GraphProto graph, string folder, string modelPath)
    {
        foreach (var tensor in graph.Initializer.Where(t => t.DataLocation == TensorProto.Types.DataLocation.External))
        {
            var entries = tensor.ExternalData.ToDictionary(e => e.Key, e => e.Value, StringComparer.Ordinal);
            var location = entries.GetValueOrDefault("location") ?? throw new InvalidDataException($"{modelPath}: tensor '{tensor.Name}' is external but names no location.");
            var path = Path.GetFullPath(Path.Combine(folder, location));
            if (!path.StartsWith(folder + Path.DirectorySeparatorChar, StringComparison.Ordinal))
            {
                throw new InvalidDataException($"{modelPath}: tensor '{tensor.Name}' names data '{location}' outside the model's folder.");
            }
            var offset = long.Parse(entries.GetValueOrDefault("offset") ?? "0", System.Globalization.CultureInfo.InvariantCulture);
            using var stream = File.OpenRead(path);
            var length = entries.TryGetValue("length", out var l) ? long.Parse(l, System.Globalization.CultureInfo.InvariantCulture) : stream.Length - offset;
            if (offset < 0 || length < 0 || offset + length > stream.Length)
            {
                throw new InvalidDataException($"{modelPath}: tensor '{tensor.Name}' needs bytes {offset}..{offset + length} of {location}, which has {stream.Length}.");
            }
            var bytes = new byte[length];
            stream.Position = offset;
            stream.ReadExactly(bytes);
            tensor.RawData = ByteString.CopyFrom(bytes);
            tensor.ExternalData.Clear();
            tensor.DataLocation = TensorProto.Types.DataLocation.Default;
        }
    }

    /// <summary>Drops initializers no node (and no graph output) uses any more: the float32 weights that were replaced.</summary>
    private static void RemoveUnused(GraphProto graph)
    {
        var used = graph.Node.SelectMany(n => n.Input).Concat(graph.Output.Select(o => o.Name)).ToHashSet(StringComparer.Ordinal);
        // Subgraphs (If/Loop bodies) may use outer initializers too.
        foreach (var attribute in graph.Node.SelectMany(n => n.Attribute).Where(a => a.G is not null))
        {
            used.UnionWith(attribute.G.Node.SelectMany(n => n.Input));
        }
        var unused = graph.Initializer.Where(t => !used.Contains(t.Name)).ToList();
        foreach (var tensor in unused)
        {
            graph.Initializer.Remove(tensor);
        }
        foreach (var input in graph.Input.Where(i => unused.Any(t => t.Name == i.Name)).ToList())
        {
            graph.Input.Remove(input);
        }
    }
}
