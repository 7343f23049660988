using System.Globalization;
using Google.Protobuf;
using GroundingWeb.Authoring.Onnx;
using DataType = Onnx.TensorProto.Types.DataType;

namespace GroundingWeb.Authoring.Twins;

/// <summary>
/// Writes a random-weight twin of DINOv3 ViT-B/16 with the interface of the public ONNX export
/// (<c>pixel_values</c> [batch_size, 3, height, width] -> <c>last_hidden_state</c>
/// [batch_size, sequence_length, 768] and <c>pooler_output</c> [batch_size, 768], weights in
/// <c>model.onnx_data</c>) and the architecture's cost: 16-pixel patches, CLS + 4 register tokens,
/// 12 pre-norm layers of width 768 with 12 heads, rotary position embedding on the patch tokens
/// (computed in the graph for any image size), LayerScale, MLP 3072 with GELU, final LayerNorm.
/// Parameter names and count (85,660,416, the unused mask token included) are Hugging Face's.
/// </summary>
internal static class DinoV3TwinWriter
{
    public const int Width = 768;
    public const int Layers = 12;
    public const int Heads = 12;
    public const int HeadDim = Width / Heads;
    public const int MlpWidth = 3072;
    public const int Patch = 16;
    public const int Registers = 4;
    private const float LayerNormEpsilon = 1e-5f;
    private const float RopeBase = 100f;

    /// <returns>The number of parameters written.</returns>
    public static long Write(string modelPath, ulong seed)
    {
        var g = new OnnxGraphBuilder();
        var ops = new TwinGraphOps(g);
        long count;
        using (var p = new TwinParameters(g, seed, modelPath + "_data"))
        {
            g.Input("pixel_values", DataType.Float, "batch_size", "num_channels", "height", "width");
            var x = Embeddings(ops, p);
            var (cos, sin) = RotaryTables(ops);
            for (var i = 0; i < Layers; i++)
            {
                x = Layer(ops, p, string.Create(CultureInfo.InvariantCulture, $"layer.{i}."), x, cos, sin);
            }
            var normWeight = p.Add("norm.weight", [Width], 0.1f, 1f);
            var normBias = p.Add("norm.bias", [Width], 0.02f);
            g.Node("LayerNormalization", [x, normWeight, normBias], "last_hidden_state",
                OnnxAttribute.Of("axis", -1L), OnnxAttribute.Of("epsilon", LayerNormEpsilon));
            g.Node("Gather", ["last_hidden_state", ops.IntScalar(0)], "pooler_output", OnnxAttribute.Of("axis", 1L));
            g.Output("last_hidden_state", DataType.Float, "batch_size", "sequence_length", Width);
            g.Output("pooler_output", DataType.Float, "batch_size", Width);
            count = p.Count;
        }
        var model = g.Build("dinov3_vitb16_twin", "GroundingWeb twin", opset: 17);
        using var file = File.Create(modelPath);
        model.WriteTo(file);
        return count;
    }

    /// <summary>Patch embedding, then [CLS, 4 registers, patches] -> [B, 201, 768] at 224 px.</summary>
    private static string Embeddings(TwinGraphOps ops, TwinParameters p)
    {
        var g = ops.Graph;
        var patchWeight = p.Add("embeddings.patch_embeddings.weight", [Width, 3, Patch, Patch], 0.02f);
        var patchBias = p.Add("embeddings.patch_embeddings.bias", [Width], 0.02f);
        var conv = g.Node("Conv", ["pixel_values", patchWeight, patchBias], null,
            OnnxAttribute.Of("kernel_shape", Patch, Patch), OnnxAttribute.Of("strides", Patch, Patch));
        var patches = g.Node("Transpose", [g.Node("Reshape", [conv, ops.Ints(0, Width, -1)])], null, OnnxAttribute.Of("perm", 0, 2, 1));
        var cls = p.Add("embeddings.cls_token", [1, 1, Width], 0.02f);
        p.Add("embeddings.mask_token", [1, 1, Width], 0.02f);   // a parameter of the checkpoint, used only for masked training
        var registers = p.Add("embeddings.register_tokens", [1, Registers, Width], 0.02f);
        var batch = g.Node("Unsqueeze", [ops.Dim("pixel_values", 0), ops.Ints(0)]);
        var expandShape = g.Node("Concat", [batch, ops.Ints(1, 1)], null, OnnxAttribute.Of("axis", 0L));
        return g.Node("Concat", [g.Node("Expand", [cls, expandShape]), g.Node("Expand", [registers, expandShape]), patches], null, OnnxAttribute.Of("axis", 1L));
    }

    /// <summary>
    /// DINOv3's rotary tables for the patch grid of the input: patch centres in [-1, 1] per axis,
    /// angles 2π·coordinate/period with periods 100^(2i/32), i &lt; 16, for rows then columns,
    /// repeated twice over the 64 channels of a head. Returns cos and sin [P, 64].
    /// </summary>
    private static (string Cos, string Sin) RotaryTables(TwinGraphOps ops)
    {
        var g = ops.Graph;
        var quarter = HeadDim / 4;
        var inverseFrequencies = new float[quarter];
        for (var i = 0; i < quarter; i++)
        {
            inverseFrequencies[i] = 2f * MathF.PI / MathF.Pow(RopeBase, 2f * i / (HeadDim / 2));
        }
        var frequencies = g.ConstantNode([1, quarter], inverseFrequencies);
        var rows = g.Node("Div", [ops.Dim("pixel_values", 2), ops.IntScalar(Patch)]);
        var columns = g.Node("Div", [ops.Dim("pixel_values", 3), ops.IntScalar(Patch)]);
        string Centres(string n)
        {
            var index = g.Node("Cast", [g.Node("Range", [ops.IntScalar(0), n, ops.IntScalar(1)])], null, OnnxAttribute.Of("to", (long)DataType.Float));
            var count = g.Node("Cast", [n], null, OnnxAttribute.Of("to", (long)DataType.Float));
            var unit = g.Node("Div", [g.Node("Add", [index, ops.Scalar(0.5f)]), count]);
            return g.Node("Sub", [g.Node("Mul", [unit, ops.Scalar(2f)]), ops.Scalar(1f)]);
        }
        var gridShape = g.Node("Concat", [g.Node("Unsqueeze", [rows, ops.Ints(0)]), g.Node("Unsqueeze", [columns, ops.Ints(0)])], null, OnnxAttribute.Of("axis", 0L));
        var rowGrid = g.Node("Expand", [g.Node("Unsqueeze", [Centres(rows), ops.Ints(1)]), gridShape]);
        var columnGrid = g.Node("Expand", [g.Node("Unsqueeze", [Centres(columns), ops.Ints(0)]), gridShape]);
        string Angles(string grid) => g.Node("Mul", [g.Node("Reshape", [grid, ops.Ints(-1, 1)]), frequencies]);
        var half = g.Node("Concat", [Angles(rowGrid), Angles(columnGrid)], null, OnnxAttribute.Of("axis", 1L));
        var angles = g.Node("Concat", [half, half], null, OnnxAttribute.Of("axis", 1L));
        return (g.Node("Cos", [angles]), g.Node("Sin", [angles]));
    }

    private static string Layer(TwinGraphOps ops, TwinParameters p, string prefix, string x, string cos, string sin)
    {
        var g = ops.Graph;
        var spread = 1f / MathF.Sqrt(Width);
        var normed = ops.LayerNorm(x, p.Add(prefix + "norm1.weight", [Width], 0.1f, 1f), p.Add(prefix + "norm1.bias", [Width], 0.02f), LayerNormEpsilon);
        var q = ops.Linear(normed, p.Add(prefix + "attention.q_proj.weight", [Width, Width], spread), p.Add(prefix + "attention.q_proj.bias", [Width], 0.02f));
        var k = ops.Linear(normed, p.Add(prefix + "attention.k_proj.weight", [Width, Width], spread), bias: null);
        var v = ops.Linear(normed, p.Add(prefix + "attention.v_proj.weight", [Width, Width], spread), p.Add(prefix + "attention.v_proj.bias", [Width], 0.02f));
        var qHeads = Rotate(ops, ops.SplitHeads(q, Heads, HeadDim), cos, sin);
        var kHeads = Rotate(ops, ops.SplitHeads(k, Heads, HeadDim), cos, sin);
        var context = ops.MergeHeads(ops.Attend(qHeads, kHeads, ops.SplitHeads(v, Heads, HeadDim), HeadDim, scoreBias: null), Width);
        var attention = ops.Linear(context, p.Add(prefix + "attention.o_proj.weight", [Width, Width], spread), p.Add(prefix + "attention.o_proj.bias", [Width], 0.02f));
        x = g.Node("Add", [x, g.Node("Mul", [attention, p.Add(prefix + "layer_scale1.lambda1", [Width], 0.05f, 0.1f)])]);

        normed = ops.LayerNorm(x, p.Add(prefix + "norm2.weight", [Width], 0.1f, 1f), p.Add(prefix + "norm2.bias", [Width], 0.02f), LayerNormEpsilon);
        var up = ops.Gelu(ops.Linear(normed, p.Add(prefix + "mlp.up_proj.weight", [Width, MlpWidth], spread), p.Add(prefix + "mlp.up_proj.bias", [MlpWidth], 0.02f)));
        var down = ops.Linear(up, p.Add(prefix + "mlp.down_proj.weight", [MlpWidth, Width], 1f / MathF.Sqrt(MlpWidth)), p.Add(prefix + "mlp.down_proj.bias", [Width], 0.02f));
        return g.Node("Add", [x, g.Node("Mul", [down, p.Add(prefix + "layer_scale2.lambda1", [Width], 0.05f, 0.1f)])]);
    }

    /// <summary>Rotary embedding on the patch tokens of [B, H, S, 64]; CLS and registers pass unrotated.</summary>
    private static string Rotate(TwinGraphOps ops, string x, string cos, string sin)
    {
        var g = ops.Graph;
        const int prefixTokens = 1 + Registers;
        var prefix = ops.Slice(x, 0, prefixTokens, 2);
        var patches = ops.Slice(x, prefixTokens, long.MaxValue, 2);
        var first = ops.Slice(patches, 0, HeadDim / 2, 3);
        var second = ops.Slice(patches, HeadDim / 2, HeadDim, 3);
        var rotatedHalf = g.Node("Concat", [g.Node("Neg", [second]), first], null, OnnxAttribute.Of("axis", 3L));
        var rotated = g.Node("Add", [g.Node("Mul", [patches, cos]), g.Node("Mul", [rotatedHalf, sin])]);
        return g.Node("Concat", [prefix, rotated], null, OnnxAttribute.Of("axis", 2L));
    }
}
