using System.Globalization;
using Google.Protobuf;
using GroundingWeb.Authoring.Onnx;
using DataType = Onnx.TensorProto.Types.DataType;

namespace GroundingWeb.Authoring.Twins;

/// <summary>
/// Writes a random-weight twin of BGE-small (BAAI/bge-small-en-v1.5) with the interface of its own
/// <c>onnx/model.onnx</c> (int64 <c>input_ids</c>, <c>attention_mask</c>, <c>token_type_ids</c>
/// [batch_size, sequence_length] -> <c>last_hidden_state</c> [batch_size, sequence_length, 384],
/// weights inside the file) and BERT's cost: 30,522-token embeddings, 512 positions, 12 post-norm
/// layers of width 384 with 12 heads and feed-forward 1536 (GELU). Parameter names and count
/// (33,360,000, the pooler the export does not use included) are Hugging Face's.
/// </summary>
internal static class BgeTwinWriter
{
    public const int Width = 384;
    public const int Layers = 12;
    public const int Heads = 12;
    public const int HeadDim = Width / Heads;
    public const int FeedForward = 1536;
    public const int VocabularySize = 30522;
    public const int Positions = 512;
    private const float LayerNormEpsilon = 1e-12f;
    private const float MaskedScore = -1e9f;

    /// <returns>The number of parameters written.</returns>
    public static long Write(string modelPath, ulong seed)
    {
        var g = new OnnxGraphBuilder();
        var ops = new TwinGraphOps(g);
        var p = new TwinParameters(g, seed, dataPath: null);
        foreach (var input in new[] { "input_ids", "attention_mask", "token_type_ids" })
        {
            g.Input(input, DataType.Int64, "batch_size", "sequence_length");
        }
        var x = Embeddings(ops, p);
        var mask = g.Node("Cast", ["attention_mask"], null, OnnxAttribute.Of("to", (long)DataType.Float));
        var bias = g.Node("Unsqueeze", [g.Node("Mul", [g.Node("Sub", [ops.Scalar(1f), mask]), ops.Scalar(MaskedScore)]), ops.Ints(1, 2)]);
        for (var i = 0; i < Layers; i++)
        {
            x = Layer(ops, p, string.Create(CultureInfo.InvariantCulture, $"encoder.layer.{i}."), x, bias, i == Layers - 1);
        }
        p.Add("pooler.dense.weight", [Width, Width], 1f / MathF.Sqrt(Width));   // in the checkpoint; the export's output does not use it
        p.Add("pooler.dense.bias", [Width], 0.02f);
        g.Output("last_hidden_state", DataType.Float, "batch_size", "sequence_length", Width);
        var model = g.Build("bge_small_twin", "GroundingWeb twin", opset: 17);
        using var file = File.Create(modelPath);
        model.WriteTo(file);
        return p.Count;
    }

    private static string Embeddings(TwinGraphOps ops, TwinParameters p)
    {
        var g = ops.Graph;
        var words = g.Node("Gather", [p.Add("embeddings.word_embeddings.weight", [VocabularySize, Width], 0.05f), "input_ids"], null, OnnxAttribute.Of("axis", 0L));
        var positionIds = g.Node("Range", [ops.IntScalar(0), ops.Dim("input_ids", 1), ops.IntScalar(1)]);
        var positions = g.Node("Gather", [p.Add("embeddings.position_embeddings.weight", [Positions, Width], 0.05f), positionIds], null, OnnxAttribute.Of("axis", 0L));
        var types = g.Node("Gather", [p.Add("embeddings.token_type_embeddings.weight", [2, Width], 0.05f), "token_type_ids"], null, OnnxAttribute.Of("axis", 0L));
        var sum = g.Node("Add", [g.Node("Add", [words, positions]), types]);
        return ops.LayerNorm(sum, p.Add("embeddings.LayerNorm.weight", [Width], 0.1f, 1f), p.Add("embeddings.LayerNorm.bias", [Width], 0.02f), LayerNormEpsilon);
    }

    private static string Layer(TwinGraphOps ops, TwinParameters p, string prefix, string x, string bias, bool last)
    {
        var g = ops.Graph;
        var spread = 1f / MathF.Sqrt(Width);
        string Projection(string name) =>
            ops.SplitHeads(ops.Linear(x, p.Add(prefix + $"attention.self.{name}.weight", [Width, Width], spread), p.Add(prefix + $"attention.self.{name}.bias", [Width], 0.02f)), Heads, HeadDim);
        var q = Projection("query");
        var k = Projection("key");
        var v = Projection("value");
        var context = ops.MergeHeads(ops.Attend(q, k, v, HeadDim, bias), Width);
        var attention = ops.Linear(context, p.Add(prefix + "attention.output.dense.weight", [Width, Width], spread), p.Add(prefix + "attention.output.dense.bias", [Width], 0.02f));
        x = ops.LayerNorm(g.Node("Add", [attention, x]), p.Add(prefix + "attention.output.LayerNorm.weight", [Width], 0.1f, 1f), p.Add(prefix + "attention.output.LayerNorm.bias", [Width], 0.02f), LayerNormEpsilon);
        var hidden = ops.Gelu(ops.Linear(x, p.Add(prefix + "intermediate.dense.weight", [Width, FeedForward], spread), p.Add(prefix + "intermediate.dense.bias", [FeedForward], 0.02f)));
        var output = ops.Linear(hidden, p.Add(prefix + "output.dense.weight", [FeedForward, Width], 1f / MathF.Sqrt(FeedForward)), p.Add(prefix + "output.dense.bias", [Width], 0.02f));
        var sum = g.Node("Add", [output, x]);
        var weight = p.Add(prefix + "output.LayerNorm.weight", [Width], 0.1f, 1f);
        var normBias = p.Add(prefix + "output.LayerNorm.bias", [Width], 0.02f);
        return last
            ? g.Node("LayerNormalization", [sum, weight, normBias], "last_hidden_state", OnnxAttribute.Of("axis", -1L), OnnxAttribute.Of("epsilon", LayerNormEpsilon))
            : ops.LayerNorm(sum, weight, normBias, LayerNormEpsilon);
    }
}
