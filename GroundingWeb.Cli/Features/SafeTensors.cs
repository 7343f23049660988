using GroundingWeb.Shared;
using System.Buffers.Binary;
using System.Runtime.InteropServices;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace GroundingWeb.Cli.Features;

/// <summary>Element types we read and write (safetensors dtype names).</summary>
internal enum SafeTensorDType
{
    F16,
    F32,
    I64,
}

/// <summary>One tensor of a safetensors file: raw little-endian bytes plus dtype and shape.</summary>
internal sealed record SafeTensor(string Name, SafeTensorDType DType, long[] Shape, byte[] Bytes)
{
    public long ElementCount => Shape.Aggregate(1L, (a, b) => a * b);

    public static SafeTensor FromFloats(string name, long[] shape, ReadOnlySpan<float> values, bool half = false)
    {
        if (!half)
        {
            return new SafeTensor(name, SafeTensorDType.F32, shape, MemoryMarshal.AsBytes(values).ToArray());
        }
        var bytes = new byte[values.Length * 2];
        var target = MemoryMarshal.Cast<byte, Half>(bytes.AsSpan());
        for (var i = 0; i < values.Length; i++)
        {
            target[i] = (Half)values[i];
        }
        return new SafeTensor(name, SafeTensorDType.F16, shape, bytes);
    }

    public static SafeTensor FromLongs(string name, long[] shape, ReadOnlySpan<long> values) =>
        new(name, SafeTensorDType.I64, shape, MemoryMarshal.AsBytes(values).ToArray());

    /// <summary>The values as float32, converting from float16 where needed.</summary>
    public float[] ToFloats()
    {
        switch (DType)
        {
            case SafeTensorDType.F32:
                return MemoryMarshal.Cast<byte, float>(Bytes).ToArray();
            case SafeTensorDType.F16:
                var halves = MemoryMarshal.Cast<byte, Half>(Bytes);
                var floats = new float[halves.Length];
                for (var i = 0; i < halves.Length; i++)
                {
                    floats[i] = (float)halves[i];
                }
                return floats;
            default:
                throw new InvalidDataException($"Tensor '{Name}' is {DType}, not a floating-point tensor.");
        }
    }

    public Half[] ToHalves() => DType == SafeTensorDType.F16
        ? MemoryMarshal.Cast<byte, Half>(Bytes).ToArray()
        : throw new InvalidDataException($"Tensor '{Name}' is {DType}, not F16.");

    public long[] ToLongs() => DType == SafeTensorDType.I64
        ? MemoryMarshal.Cast<byte, long>(Bytes).ToArray()
        : throw new InvalidDataException($"Tensor '{Name}' is {DType}, not I64.");

    internal static int ElementSize(SafeTensorDType dtype) => dtype switch
    {
        SafeTensorDType.F16 => 2,
        SafeTensorDType.F32 => 4,
        SafeTensorDType.I64 => 8,
        _ => throw new ArgumentOutOfRangeException(nameof(dtype)),
    };
}

/// <summary>
/// The safetensors format (huggingface/safetensors): an 8-byte little-endian header length, a JSON
/// header <c>{name: {dtype, shape, data_offsets: [begin, end]}, "__metadata__": {string: string}}</c>,
/// then the tensors' bytes back to back. Only little-endian hosts are supported (as the format is).
/// </summary>
internal static class SafeTensorsFile
{
    private const string MetadataKey = "__metadata__";
    private const long MaxHeaderBytes = 100L * 1024 * 1024;

    /// <summary>Writes to a temporary file beside <paramref name="path"/> and renames it, so a reader never sees half a file.</summary>
    public static void Write(string path, IEnumerable<SafeTensor> tensors, IReadOnlyDictionary<string, string>? metadata = null)
    {
        var list = tensors.ToList();
        var header = new JsonObject();
        if (metadata is { Count: > 0 })
        {
            var meta = new JsonObject();
            foreach (var (key, value) in metadata)
            {
                meta[key] = value;
            }
            header[MetadataKey] = meta;
        }
        long offset = 0;
        foreach (var tensor in list)
        {
            if (tensor.Bytes.Length != tensor.ElementCount * SafeTensor.ElementSize(tensor.DType))
            {
                throw new ArgumentException($"Tensor '{tensor.Name}' has {tensor.Bytes.Length} bytes but its shape [{string.Join(", ", tensor.Shape)}] needs {tensor.ElementCount * SafeTensor.ElementSize(tensor.DType)}.");
            }
            if (tensor.Name == MetadataKey || header.ContainsKey(tensor.Name))
            {
                throw new ArgumentException($"Tensor name '{tensor.Name}' is reserved or given twice.");
            }
            header[tensor.Name] = new JsonObject
            {
                ["dtype"] = tensor.DType.ToString(),
                ["shape"] = new JsonArray(tensor.Shape.Select(d => (JsonNode)d).ToArray()),
                ["data_offsets"] = new JsonArray(offset, offset + tensor.Bytes.Length),
            };
            offset += tensor.Bytes.Length;
        }
        var json = Encoding.UTF8.GetBytes(header.ToJsonString());
        // The data must start 8-byte aligned; the format pads the header with spaces.
        var padded = (json.Length + 7) / 8 * 8;
        var headerBytes = new byte[padded];
        json.CopyTo(headerBytes, 0);
        headerBytes.AsSpan(json.Length).Fill((byte)' ');

        AtomicFile.Write(path, stream =>
        {
            Span<byte> length = stackalloc byte[8];
            BinaryPrimitives.WriteUInt64LittleEndian(length, (ulong)padded);
            stream.Write(length);
            stream.Write(headerBytes);
            foreach (var tensor in list)
            {
                stream.Write(tensor.Bytes);
            }
        });
    }

    public static (Dictionary<string, SafeTensor> Tensors, Dictionary<string, string> Metadata) Read(string path)
    {
        using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16);
        Span<byte> lengthBytes = stackalloc byte[8];
        if (stream.ReadAtLeast(lengthBytes, 8, throwOnEndOfStream: false) < 8)
        {
            throw new InvalidDataException($"{path} is not a safetensors file: shorter than its 8-byte header length.");
        }
        var headerLength = BinaryPrimitives.ReadUInt64LittleEndian(lengthBytes);
        if (headerLength == 0 || headerLength > (ulong)Math.Min(MaxHeaderBytes, stream.Length - 8))
        {
            throw new InvalidDataException($"{path} is not a safetensors file: header length {headerLength} does not fit the file ({stream.Length} bytes).");
        }
        var headerBytes = new byte[headerLength];
        stream.ReadExactly(headerBytes);
        JsonObject header;
        try
        {
            header = JsonNode.Parse(headerBytes) as JsonObject ?? throw new InvalidDataException($"{path}: the safetensors header is not a JSON object.");
        }
        catch (JsonException ex)
        {
            throw new InvalidDataException($"{path}: the safetensors header is not valid JSON ({ex.Message}).", ex);
        }
        var dataStart = 8 + (long)headerLength;
        var dataLength = stream.Length - dataStart;
        var metadata = new Dictionary<string, string>(StringComparer.Ordinal);
        var tensors = new Dictionary<string, SafeTensor>(StringComparer.Ordinal);
        foreach (var (name, node) in header)
        {
            if (name == MetadataKey)
            {
                foreach (var (key, value) in node?.AsObject() ?? [])
                {
                    metadata[key] = value?.GetValue<string>() ?? "";
                }
                continue;
            }
            tensors[name] = ReadTensor(path, stream, name, node, dataStart, dataLength);
        }
        return (tensors, metadata);
    }

    private static SafeTensor ReadTensor(string path, FileStream stream, string name, JsonNode? node, long dataStart, long dataLength)
    {
        var entry = node as JsonObject ?? throw new InvalidDataException($"{path}: tensor '{name}' has no header object.");
        var dtypeName = entry["dtype"]?.GetValue<string>();
        if (!Enum.TryParse<SafeTensorDType>(dtypeName, ignoreCase: false, out var dtype))
        {
            throw new InvalidDataException($"{path}: tensor '{name}' has dtype '{dtypeName}'; only F16, F32 and I64 are supported.");
        }
        var shape = entry["shape"]?.AsArray().Select(d => d!.GetValue<long>()).ToArray()
            ?? throw new InvalidDataException($"{path}: tensor '{name}' has no shape.");
        var offsets = entry["data_offsets"]?.AsArray().Select(d => d!.GetValue<long>()).ToArray();
        if (offsets is not { Length: 2 } || offsets[0] < 0 || offsets[1] < offsets[0] || offsets[1] > dataLength)
        {
            throw new InvalidDataException($"{path}: tensor '{name}' has data_offsets outside the file's {dataLength} data bytes.");
        }
        var expected = shape.Aggregate(1L, (a, b) => a * b) * SafeTensor.ElementSize(dtype);
        if (offsets[1] - offsets[0] != expected)
        {
            throw new InvalidDataException($"{path}: tensor '{name}' spans {offsets[1] - offsets[0]} bytes but [{string.Join(", ", shape)}] {dtype} needs {expected}.");
        }
        var bytes = new byte[expected];
        stream.Position = dataStart + offsets[0];
        stream.ReadExactly(bytes);
        return new SafeTensor(name, dtype, shape, bytes);
    }
}
