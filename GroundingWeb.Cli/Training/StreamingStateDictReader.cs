using System.Collections;
using System.IO.Compression;
using System.Runtime.InteropServices;
using GroundingWeb.Authoring.Onnx;
using Razorvine.Pickle;

namespace GroundingWeb.Cli.Training;

/// <summary>
/// Reads a <c>torch.save</c> zip file without libtorch: unpickles <c>data.pkl</c> into tensor
/// references (storage key, element type, offset, shape, stride) and reads the bytes of only the
/// tensors asked for from their <c>data/KEY</c> entries. Frozen encoder weights in a reference
/// checkpoint (about 475 MB of its 580) are never read into memory.
/// </summary>
internal static class StreamingStateDictReader
{
    /// <summary>Tensors by dotted name; those <paramref name="wanted"/> rejects come with their shape and no data.</summary>
    public static Dictionary<string, NamedTensor> Read(string path, Func<string, bool> wanted)
    {
        using var zip = OpenZip(path);
        var pickle = zip.Entries.FirstOrDefault(e => e.FullName.EndsWith("/data.pkl", StringComparison.Ordinal) || e.FullName == "data.pkl")
            ?? throw new InvalidDataException($"'{path}' has no data.pkl: it is not a torch.save file.");
        var prefix = pickle.FullName[..^"data.pkl".Length];
        object root;
        using (var stream = pickle.Open())
        {
            root = new TensorUnpickler().load(stream);
        }
        if (root is not IDictionary table)
        {
            throw new InvalidDataException($"'{path}' holds a {root?.GetType().Name ?? "null"}, not a state dict: save it with torch.save(model.state_dict(), path).");
        }
        var references = new Dictionary<string, TensorReference>(StringComparer.Ordinal);
        Flatten(table, "", references);
        var tensors = new Dictionary<string, NamedTensor>(StringComparer.Ordinal);
        foreach (var (name, reference) in references)
        {
            tensors[name] = new NamedTensor(name, reference.Shape, wanted(name) ? Load(zip, prefix, reference, path) : []);
        }
        return tensors;
    }

    private static ZipArchive OpenZip(string path)
    {
        var file = File.OpenRead(path);
        try
        {
            return new ZipArchive(file, ZipArchiveMode.Read);
        }
        catch (InvalidDataException ex)
        {
            file.Dispose();
            throw new InvalidDataException(
                $"'{path}' is not a zip-format torch.save file ({ex.Message}); files saved with _use_new_zipfile_serialization=False must be saved again with a current torch.save.", ex);
        }
    }

    private static void Flatten(IDictionary table, string prefix, Dictionary<string, TensorReference> into)
    {
        foreach (DictionaryEntry entry in table)
        {
            var key = prefix + entry.Key;
            if (entry.Value is TensorReference tensor) into[key] = tensor;
            else if (entry.Value is IDictionary nested) Flatten(nested, key + ".", into);
        }
    }

    private static float[] Load(ZipArchive zip, string prefix, TensorReference t, string path)
    {
        var entry = zip.GetEntry($"{prefix}data/{t.Storage.Key}")
            ?? throw new InvalidDataException($"'{path}' lacks the storage data/{t.Storage.Key} of a tensor.");
        var size = t.Storage.ElementSize;
        var count = t.Shape.Aggregate(1L, (a, d) => a * d);
        // The elements a view reaches: from its offset to its last element along the strides.
        var reach = count == 0 ? 0 : t.Offset + 1 + t.Shape.Select((d, i) => (long)(d - 1) * t.Stride[i]).Sum();
        var raw = new byte[checked((reach - t.Offset) * size)];
        using (var stream = entry.Open())
        {
            Skip(stream, t.Offset * size);
            stream.ReadExactly(raw);
        }
        var values = new float[count];
        var index = new int[t.Shape.Length];
        for (long i = 0; i < count; i++)
        {
            long element = 0;
            for (var d = 0; d < index.Length; d++) element += (long)index[d] * t.Stride[d];
            values[i] = t.Storage.Convert(raw.AsSpan(checked((int)(element * size)), size));
            for (var d = index.Length - 1; d >= 0 && ++index[d] == t.Shape[d]; d--) index[d] = 0;
        }
        return values;
    }

    private static void Skip(Stream stream, long bytes)
    {
        var buffer = new byte[81920];
        while (bytes > 0)
        {
            var read = stream.Read(buffer, 0, (int)Math.Min(buffer.Length, bytes));
            if (read == 0) throw new InvalidDataException("A tensor's storage ends before the tensor does.");
            bytes -= read;
        }
    }

    private sealed record StorageType(string Name, int ElementSize) : IObjectConstructor
    {
        public object construct(object[] args) => throw new InvalidDataException($"torch.{Name} is a type, not a value.");

        public float Convert(ReadOnlySpan<byte> bytes) => Name switch
        {
            "FloatStorage" => MemoryMarshal.Read<float>(bytes),
            "HalfStorage" => (float)MemoryMarshal.Read<Half>(bytes),
            "BFloat16Storage" => BitConverter.Int32BitsToSingle(MemoryMarshal.Read<ushort>(bytes) << 16),
            "DoubleStorage" => (float)MemoryMarshal.Read<double>(bytes),
            _ => throw new InvalidDataException($"A head tensor is stored as torch.{Name}; the head must be floating point."),
        };
    }

    private sealed record Storage(StorageType Type, string Key)
    {
        public int ElementSize => Type.ElementSize;
        public float Convert(ReadOnlySpan<byte> bytes) => Type.Convert(bytes);
    }

    private sealed record TensorReference(Storage Storage, long Offset, int[] Shape, long[] Stride);

    private sealed class RebuildTensor : IObjectConstructor
    {
        public object construct(object[] args)
        {
            if (args.Length < 4 || args[0] is not Storage storage)
            {
                throw new InvalidDataException("A tensor in the state dict is not stored as torch.save stores tensors.");
            }
            return new TensorReference(storage, System.Convert.ToInt64(args[1]),
                ((object[])args[2]).Select(System.Convert.ToInt32).ToArray(), ((object[])args[3]).Select(System.Convert.ToInt64).ToArray());
        }
    }

    private sealed class RebuildParameter : IObjectConstructor
    {
        public object construct(object[] args) => args[0];
    }

    /// <summary>collections.OrderedDict, accepting the <c>_metadata</c> state PyTorch sets on state dicts.</summary>
    private sealed class OrderedDictionary : Hashtable
    {
        public void __setstate__(Hashtable state) { }
    }

    private sealed class OrderedDictionaryConstructor : IObjectConstructor
    {
        public object construct(object[] args) => new OrderedDictionary();
    }

    private sealed class TensorUnpickler : Unpickler
    {
        private static readonly (string Name, int Size)[] StorageTypes =
        [
            ("FloatStorage", 4), ("HalfStorage", 2), ("BFloat16Storage", 2), ("DoubleStorage", 8),
            ("LongStorage", 8), ("IntStorage", 4), ("ShortStorage", 2), ("CharStorage", 1), ("ByteStorage", 1), ("BoolStorage", 1),
        ];

        static TensorUnpickler()
        {
            foreach (var (name, size) in StorageTypes) registerConstructor("torch", name, new StorageType(name, size));
            registerConstructor("torch._utils", "_rebuild_tensor_v2", new RebuildTensor());
            registerConstructor("torch._utils", "_rebuild_tensor", new RebuildTensor());
            registerConstructor("torch._utils", "_rebuild_parameter", new RebuildParameter());
            registerConstructor("collections", "OrderedDict", new OrderedDictionaryConstructor());
        }

        protected override object persistentLoad(object pid)
        {
            // ('storage', storage type, key, location, element count)
            if (pid is object[] { Length: >= 3 } tuple && tuple[0] as string == "storage" && tuple[1] is StorageType type)
            {
                return new Storage(type, System.Convert.ToString(tuple[2], System.Globalization.CultureInfo.InvariantCulture)!);
            }
            throw new InvalidDataException("The state dict refers to a stored object that is not a tensor storage.");
        }
    }
}
