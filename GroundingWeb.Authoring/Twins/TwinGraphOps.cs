using GroundingWeb.Authoring.Onnx;

namespace GroundingWeb.Authoring.Twins;

/// <summary>
/// The transformer building blocks the twins share, as ONNX nodes. Linear weights are stored
/// [in, out] for MatMul, as exporters write them; constants are Constant nodes, not initializers.
/// </summary>
internal sealed class TwinGraphOps(OnnxGraphBuilder g)
{
    private readonly Dictionary<float, string> _scalars = [];

    public OnnxGraphBuilder Graph => g;

    public string Scalar(float value)
    {
        if (!_scalars.TryGetValue(value, out var name))
        {
            _scalars[value] = name = g.ConstantNode([], [value]);
        }
        return name;
    }

    public string Ints(params long[] values) => g.ConstantNode([values.Length], values);

    public string IntScalar(long value) => g.ConstantNode([], [value]);

    public string Linear(string x, string weight, string? bias)
    {
        var product = g.Node("MatMul", [x, weight]);
        return bias is null ? product : g.Node("Add", [product, bias]);
    }

    public string LayerNorm(string x, string weight, string bias, float epsilon) =>
        g.Node("LayerNormalization", [x, weight, bias], null, OnnxAttribute.Of("axis", -1L), OnnxAttribute.Of("epsilon", epsilon));

    /// <summary>GELU in its exact erf form (opset 17 has no Gelu operator; ONNX Runtime fuses this pattern).</summary>
    public string Gelu(string x)
    {
        var erf = g.Node("Erf", [g.Node("Div", [x, Scalar(MathF.Sqrt(2f))])]);
        return g.Node("Mul", [g.Node("Mul", [x, Scalar(0.5f)]), g.Node("Add", [erf, Scalar(1f)])]);
    }

    /// <summary>[B, S, heads * dim] -> [B, heads, S, dim].</summary>
    public string SplitHeads(string x, int heads, int headDim) =>
        g.Node("Transpose", [g.Node("Reshape", [x, Ints(0, 0, heads, headDim)])], null, OnnxAttribute.Of("perm", 0, 2, 1, 3));

    /// <summary>[B, heads, S, dim] -> [B, S, heads * dim].</summary>
    public string MergeHeads(string x, int width) =>
        g.Node("Reshape", [g.Node("Transpose", [x], null, OnnxAttribute.Of("perm", 0, 2, 1, 3)), Ints(0, 0, width)]);

    /// <summary>Scaled dot-product attention over [B, heads, S, dim] tensors, with an optional additive bias on the scores.</summary>
    public string Attend(string q, string k, string v, int headDim, string? scoreBias)
    {
        var keysT = g.Node("Transpose", [k], null, OnnxAttribute.Of("perm", 0, 1, 3, 2));
        var scores = g.Node("Mul", [g.Node("MatMul", [q, keysT]), Scalar(1f / MathF.Sqrt(headDim))]);
        if (scoreBias is not null)
        {
            scores = g.Node("Add", [scores, scoreBias]);
        }
        return g.Node("MatMul", [g.Node("Softmax", [scores], null, OnnxAttribute.Of("axis", -1L)), v]);
    }

    public string Slice(string x, long start, long end, long axis) => g.Node("Slice", [x, Ints(start), Ints(end), Ints(axis)]);

    /// <summary>Dimension <paramref name="axis"/> of <paramref name="x"/> as an int64 scalar.</summary>
    public string Dim(string x, long axis) => g.Node("Gather", [g.Node("Shape", [x]), IntScalar(axis)], null, OnnxAttribute.Of("axis", 0L));
}
