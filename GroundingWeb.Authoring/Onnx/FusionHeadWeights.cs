namespace GroundingWeb.Authoring.Onnx;

/// <summary>
/// The parameters of a fusion head, by PyTorch name, checked against a <see cref="FusionHeadConfig"/>:
/// every name the config expects is present with its exact shape, and nothing else.
/// </summary>
public sealed class FusionHeadWeights
{
    private readonly Dictionary<string, NamedTensor> _tensors;

    public FusionHeadWeights(FusionHeadConfig config, IEnumerable<NamedTensor> tensors)
    {
        ArgumentNullException.ThrowIfNull(config);
        ArgumentNullException.ThrowIfNull(tensors);
        Config = config;
        _tensors = new Dictionary<string, NamedTensor>(StringComparer.Ordinal);
        foreach (var tensor in tensors)
        {
            if (!_tensors.TryAdd(tensor.Name, tensor))
            {
                throw new ArgumentException($"Fusion-head tensor '{tensor.Name}' is given twice.");
            }
        }
        var expected = config.ParameterShapes();
        foreach (var (name, shape) in expected)
        {
            if (!_tensors.TryGetValue(name, out var tensor))
            {
                throw new ArgumentException($"Fusion-head tensor '{name}' is missing (expected shape [{string.Join(", ", shape)}]).");
            }
            if (!tensor.Shape.SequenceEqual(shape))
            {
                throw new ArgumentException(
                    $"Fusion-head tensor '{name}' has shape [{string.Join(", ", tensor.Shape)}] but the config needs [{string.Join(", ", shape)}].");
            }
            if (tensor.Data.Length != tensor.ElementCount)
            {
                throw new ArgumentException(
                    $"Fusion-head tensor '{name}' holds {tensor.Data.Length} values but its shape [{string.Join(", ", shape)}] needs {tensor.ElementCount}.");
            }
        }
        var known = expected.Select(p => p.Name).ToHashSet(StringComparer.Ordinal);
        var extra = _tensors.Keys.FirstOrDefault(name => !known.Contains(name));
        if (extra is not null)
        {
            throw new ArgumentException($"Fusion-head tensor '{extra}' is not a parameter of this config.");
        }
        Tensors = expected.Select(p => _tensors[p.Name]).ToArray();
    }

    public FusionHeadConfig Config { get; }

    /// <summary>All tensors in the config's parameter order.</summary>
    public IReadOnlyList<NamedTensor> Tensors { get; }

    public NamedTensor this[string name] =>
        _tensors.TryGetValue(name, out var tensor)
            ? tensor
            : throw new KeyNotFoundException($"Fusion-head tensor '{name}' does not exist.");

    /// <summary>
    /// Deterministic random weights initialised the way PyTorch initialises the reference module:
    /// Linear weights kaiming-uniform (a = sqrt 5, i.e. U(+-1/sqrt fan_in)) with biases U(+-1/sqrt fan_in),
    /// attention in-projections xavier-uniform with zero biases, attention out-projection biases zero,
    /// LayerNorm weight 1 and bias 0.
    /// </summary>
    public static FusionHeadWeights CreateRandom(FusionHeadConfig config, int seed)
    {
        ArgumentNullException.ThrowIfNull(config);
        var random = new Random(seed);
        var tensors = new List<NamedTensor>();
        var fanIn = 1;
        foreach (var (name, shape) in config.ParameterShapes())
        {
            var data = new float[shape.Aggregate(1, (a, b) => a * b)];
            // Every Linear bias directly follows its weight, whose second dimension is the fan-in.
            fanIn = shape.Length == 2 ? shape[1] : fanIn;
            Initialise(name, shape, data, random, fanIn);
            tensors.Add(new NamedTensor(name, shape, data));
        }
        return new FusionHeadWeights(config, tensors);
    }

    private static void Initialise(string name, int[] shape, float[] data, Random random, int fanIn)
    {
        var isNorm = name.StartsWith("head.0.", StringComparison.Ordinal) || name.Contains(".norm", StringComparison.Ordinal);
        if (isNorm)
        {
            Array.Fill(data, name.EndsWith(".weight", StringComparison.Ordinal) ? 1f : 0f);
        }
        else if (name.EndsWith("in_proj_weight", StringComparison.Ordinal))
        {
            Uniform(data, Math.Sqrt(6.0 / (shape[0] + shape[1])), random);
        }
        else if (name.EndsWith("in_proj_bias", StringComparison.Ordinal) || name.EndsWith("out_proj.bias", StringComparison.Ordinal))
        {
            Array.Fill(data, 0f);
        }
        else
        {
            // Linear weight (kaiming-uniform with a = sqrt 5) and Linear bias share the bound 1/sqrt(fan_in).
            Uniform(data, 1.0 / Math.Sqrt(fanIn), random);
        }
    }

    private static void Uniform(float[] data, double bound, Random random)
    {
        for (var i = 0; i < data.Length; i++)
        {
            data[i] = (float)((random.NextDouble() * 2 - 1) * bound);
        }
    }
}
