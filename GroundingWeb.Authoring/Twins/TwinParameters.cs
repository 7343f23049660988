using System.Runtime.InteropServices;
using GroundingWeb.Authoring.Onnx;
using DataType = Onnx.TensorProto.Types.DataType;

namespace GroundingWeb.Authoring.Twins;

/// <summary>
/// The random float32 parameters of a twin model: each tensor's values come from its own
/// generator (seeded by the twin's seed and the tensor's name, so the same seed writes the same
/// file) and are stored inside the model or appended to an external data file, as the public
/// export does. Only parameters become initializers; every other constant is a Constant node, so
/// the initializers' element count is the model's parameter count.
/// </summary>
internal sealed class TwinParameters : IDisposable
{
    private const int ChunkFloats = 1 << 20;

    private readonly OnnxGraphBuilder _graph;
    private readonly ulong _seed;
    private readonly FileStream? _data;
    private readonly string? _dataLocation;

    /// <param name="dataPath">The external data file to append to, or null to store the values in the model.</param>
    public TwinParameters(OnnxGraphBuilder graph, ulong seed, string? dataPath)
    {
        _graph = graph;
        _seed = seed;
        if (dataPath is not null)
        {
            _data = new FileStream(dataPath, FileMode.Create, FileAccess.Write, FileShare.None, 1 << 20);
            _dataLocation = Path.GetFileName(dataPath);
        }
    }

    public long Count { get; private set; }

    /// <summary>Values drawn uniformly from [centre - spread, centre + spread].</summary>
    public string Add(string name, int[] shape, float spread, float centre = 0f)
    {
        var count = shape.Aggregate(1L, (a, d) => a * d);
        Count += count;
        var random = new SplitMix64(_seed ^ NameHash(name));
        if (_data is null)
        {
            var values = new float[count];
            Fill(values, ref random, spread, centre);
            return _graph.Initializer(name, shape, values);
        }
        var offset = _data.Position;
        var buffer = new float[Math.Min(count, ChunkFloats)];
        for (var left = count; left > 0; left -= buffer.Length)
        {
            var span = buffer.AsSpan(0, (int)Math.Min(left, buffer.Length));
            Fill(span, ref random, spread, centre);
            _data.Write(MemoryMarshal.AsBytes(span));
        }
        return _graph.ExternalInitializer(name, shape, DataType.Float, _dataLocation!, offset, count * sizeof(float));
    }

    public void Dispose() => _data?.Dispose();

    private static void Fill(Span<float> values, ref SplitMix64 random, float spread, float centre)
    {
        for (var i = 0; i < values.Length; i++)
        {
            values[i] = centre + spread * (2f * random.NextUnit() - 1f);
        }
    }

    private static ulong NameHash(string name)
    {
        var hash = 14695981039346656037UL;   // FNV-1a
        foreach (var c in name)
        {
            hash = (hash ^ c) * 1099511628211UL;
        }
        return hash;
    }

    private struct SplitMix64(ulong state)
    {
        private ulong _state = state;

        /// <summary>A float in [0, 1) from the generator's top 24 bits.</summary>
        public float NextUnit()
        {
            var z = _state += 0x9E3779B97F4A7C15UL;
            z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
            z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
            z ^= z >> 31;
            return (z >> 40) * (1f / (1 << 24));
        }
    }
}
