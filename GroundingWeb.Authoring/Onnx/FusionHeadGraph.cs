using System.Globalization;
using static GroundingWeb.Authoring.Onnx.FusionHeadOnnxWriter;

namespace GroundingWeb.Authoring.Onnx;

/// <summary>
/// The nodes of a fusion head; initializers carry the PyTorch parameter names. Emits the whole head
/// (<see cref="EmitWhole"/>), or its two halves: the image side (the image projection and every
/// layer's cross-attention keys and values, the same for every prompt of an image) and the prompt
/// side that takes them as inputs. The halves compute exactly the whole graph's operations.
/// </summary>
internal sealed class FusionHeadGraph(OnnxGraphBuilder g, FusionHeadConfig config)
{
    private readonly int _headDim = config.ModelDim / config.Heads;
    private string _qkvShape = "";
    private string _mergeShape = "";

    public void EmitWhole()
    {
        Constants();
        var memory = Linear("image_proj", ImageTokensInput);
        Decoder((prefix, x) => Attention(prefix + "multihead_attn", x, memory, keyBias: null));
    }

    /// <summary>image_tokens [B, N, Dv] -> cross_keys [L, B, H, hd, N] and cross_values [L, B, H, N, hd].</summary>
    public void EmitImageSide()
    {
        Constants();
        var memory = Linear("image_proj", ImageTokensInput);
        var keys = new List<string>();
        var values = new List<string>();
        var layerAxis = g.Int64Constant("const.layer_axis", 0);
        for (var i = 0; i < config.Layers; i++)
        {
            var (k, v) = KeyValueHeads(LayerPrefix(i) + "multihead_attn", memory);
            keys.Add(g.Node("Unsqueeze", [k, layerAxis]));
            values.Add(g.Node("Unsqueeze", [v, layerAxis]));
        }
        g.Node("Concat", keys, CrossKeysName, OnnxAttribute.Of("axis", 0L));
        g.Node("Concat", values, CrossValuesName, OnnxAttribute.Of("axis", 0L));
    }

    /// <summary>text_tokens, text_mask, cross_keys, cross_values -> boxes (and presence); a batch of 1 in the cross inputs serves every prompt.</summary>
    public void EmitPromptSide()
    {
        Constants();
        var layer = 0;
        Decoder((prefix, x) =>
        {
            var index = g.Initializer(string.Create(CultureInfo.InvariantCulture, $"const.layer_{layer}"), [], [(long)layer]);
            layer++;
            var k = g.Node("Gather", [CrossKeysName, index], null, OnnxAttribute.Of("axis", 0L));
            var v = g.Node("Gather", [CrossValuesName, index], null, OnnxAttribute.Of("axis", 0L));
            return AttendTo(prefix + "multihead_attn", x, k, v, keyBias: null);
        });
    }

    private static string LayerPrefix(int i) => string.Create(CultureInfo.InvariantCulture, $"decoder.layers.{i}.");

    private void Constants()
    {
        _qkvShape = g.Int64Constant("const.split_heads_shape", 0, 0, config.Heads, _headDim);
        _mergeShape = g.Int64Constant("const.merge_heads_shape", 0, 0, config.ModelDim);
    }

    /// <summary>The text projection, the decoder layers (cross-attention from <paramref name="crossAttention"/>), the box head and the presence head when the config has one.</summary>
    private void Decoder(Func<string, string, string> crossAttention)
    {
        var x = Linear("text_proj", TextTokensInput);
        var keyBias = PaddingBias();
        for (var i = 0; i < config.Layers; i++)
        {
            var prefix = LayerPrefix(i);
            var selfAttention = Attention(prefix + "self_attn", x, x, keyBias);
            x = LayerNorm(prefix + "norm1", g.Node("Add", [x, selfAttention]));
            x = LayerNorm(prefix + "norm2", g.Node("Add", [x, crossAttention(prefix, x)]));
            var hidden = g.Node("Relu", [Linear(prefix + "linear1", x)]);
            x = LayerNorm(prefix + "norm3", g.Node("Add", [x, Linear(prefix + "linear2", hidden)]));
        }
        var index = g.Initializer("const.first_position", [], [0L]);
        var first = g.Node("Gather", [x, index], null, OnnxAttribute.Of("axis", 1L));
        var normalized = LayerNorm("head.0", first);
        var head = g.Node("Relu", [Linear("head.1", normalized)]);
        g.Node("Sigmoid", [Linear("head.3", head)], BoxesOutput);
        if (config.Presence)
        {
            var hidden = g.Node("Relu", [Linear("presence.0", normalized)]);
            g.Node("Identity", [Linear("presence.2", hidden)], FusionHeadConfig.PresenceOutput);
        }
    }

    /// <summary>text_mask [B, T] (1 token, 0 pad) -> additive bias [B, 1, 1, T] (0 or a large negative).</summary>
    private string PaddingBias()
    {
        var mask = g.Node("Cast", [TextMaskInput], null, OnnxAttribute.Of("to", (long)global::Onnx.TensorProto.Types.DataType.Float));
        var one = g.Initializer("const.one", [], [1f]);
        var masked = g.Initializer("const.masked_score", [], [MaskedScore]);
        var padding = g.Node("Sub", [one, mask]);
        var bias = g.Node("Mul", [padding, masked]);
        return g.Node("Unsqueeze", [bias, g.Int64Constant("const.mask_axes", 1, 2)], "text_mask_bias");
    }

    /// <summary>PyTorch Linear: x @ W^T + b with W stored as [out, in] under its PyTorch name.</summary>
    private string Linear(string name, string x) => Linear(x, g.Node("Transpose", [name + ".weight"]), name + ".bias");

    private string Linear(string x, string transposedWeight, string bias) =>
        g.Node("Add", [g.Node("MatMul", [x, transposedWeight]), bias]);

    private string LayerNorm(string name, string x) =>
        g.Node("LayerNormalization", [x, name + ".weight", name + ".bias"], null,
            OnnxAttribute.Of("axis", -1L), OnnxAttribute.Of("epsilon", LayerNormEpsilon));

    /// <summary>nn.MultiheadAttention (eval mode): packed in-projection split into q, k, v; scaled dot product per head.</summary>
    private string Attention(string name, string query, string keyValue, string? keyBias)
    {
        var (kHeads, vHeads) = KeyValueHeads(name, keyValue);
        return AttendTo(name, query, kHeads, vHeads, keyBias);
    }

    /// <summary>Keys [B, H, hd, Tk] (already transposed for the product) and values [B, H, Tk, hd].</summary>
    private (string Keys, string Values) KeyValueHeads(string name, string keyValue)
    {
        var weights = g.NodeMulti("Split", [name + ".in_proj_weight"], 3, [], OnnxAttribute.Of("axis", 0L));
        var biases = g.NodeMulti("Split", [name + ".in_proj_bias"], 3, [], OnnxAttribute.Of("axis", 0L));
        var k = Linear(keyValue, g.Node("Transpose", [weights[1]]), biases[1]);
        var v = Linear(keyValue, g.Node("Transpose", [weights[2]]), biases[2]);
        return (SplitHeads(k, 0, 2, 3, 1), SplitHeads(v, 0, 2, 1, 3));
    }

    private string AttendTo(string name, string query, string kHeads, string vHeads, string? keyBias)
    {
        var weights = g.NodeMulti("Split", [name + ".in_proj_weight"], 3, [], OnnxAttribute.Of("axis", 0L));
        var biases = g.NodeMulti("Split", [name + ".in_proj_bias"], 3, [], OnnxAttribute.Of("axis", 0L));
        var scale = g.Initializer(name + ".const.scale", [], [1f / MathF.Sqrt(_headDim)]);
        // PyTorch scales q before the product; doing the same keeps the rounding alike.
        var q = g.Node("Mul", [Linear(query, g.Node("Transpose", [weights[0]]), biases[0]), scale]);
        var qHeads = SplitHeads(q, 0, 2, 1, 3);   // [B, H, Tq, hd]
        var scores = g.Node("MatMul", [qHeads, kHeads]);
        if (keyBias is not null)
        {
            scores = g.Node("Add", [scores, keyBias]);
        }
        var probabilities = g.Node("Softmax", [scores], null, OnnxAttribute.Of("axis", -1L));
        var context = g.Node("MatMul", [probabilities, vHeads]);
        var merged = g.Node("Reshape", [g.Node("Transpose", [context], null, OnnxAttribute.Of("perm", 0, 2, 1, 3)), _mergeShape]);
        return Linear(name + ".out_proj", merged);
    }

    private string SplitHeads(string x, params long[] perm) =>
        g.Node("Transpose", [g.Node("Reshape", [x, _qkvShape])], null, OnnxAttribute.Of("perm", perm));
}
