using System.Globalization;
using Google.Protobuf;
using DataType = Onnx.TensorProto.Types.DataType;

namespace GroundingWeb.Authoring.Onnx;

/// <summary>
/// Writes a fusion head as an ONNX model (opset 17) that follows the fusion-head contract of
/// DESIGN.md section 3: inputs <c>image_tokens</c> [B, N, Dv], <c>text_tokens</c> [B, T, Dt],
/// <c>text_mask</c> int64 [B, T]; output <c>boxes</c> [B, 4]. The graph computes what PyTorch's
/// post-norm <c>nn.TransformerDecoder</c> computes in eval mode, then the box head on position 0.
/// </summary>
public static class FusionHeadOnnxWriter
{
    public const string ImageTokensInput = "image_tokens";
    public const string TextTokensInput = "text_tokens";
    public const string TextMaskInput = "text_mask";
    public const string BoxesOutput = "boxes";
    public const long Opset = 17;

    /// <summary>Added to attention scores of padded keys; large enough that softmax gives them exactly zero.</summary>
    internal const float MaskedScore = -1e9f;

    private const float LayerNormEpsilon = 1e-5f;

    /// <summary>Serialises the model to bytes.</summary>
    public static byte[] Build(FusionHeadConfig config, FusionHeadWeights weights)
    {
        ArgumentNullException.ThrowIfNull(config);
        ArgumentNullException.ThrowIfNull(weights);
        if (weights.Config != config)
        {
            throw new ArgumentException($"The weights were validated for {weights.Config.ToJson()} but the config to write is {config.ToJson()}.");
        }
        var g = new OnnxGraphBuilder();
        g.Input(ImageTokensInput, DataType.Float, "B", "N", config.ImageDim);
        g.Input(TextTokensInput, DataType.Float, "B", "T", config.TextDim);
        g.Input(TextMaskInput, DataType.Int64, "B", "T");
        foreach (var tensor in weights.Tensors)
        {
            g.Initializer(tensor.Name, tensor.Shape, tensor.Data);
        }
        new FusionHeadGraph(g, config).Emit();
        g.Output(BoxesOutput, DataType.Float, "B", 4);
        g.Metadata(FusionHeadConfig.MetadataKey, config.ToJson());
        return g.Build("fusion_head", "GroundingWeb", Opset).ToByteArray();
    }

    /// <summary>Writes the model to <paramref name="path"/> atomically (a temporary file renamed over it).</summary>
    public static void Write(string path, FusionHeadConfig config, FusionHeadWeights weights)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        Shared.AtomicFile.WriteAllBytes(path, Build(config, weights));
    }

    /// <summary>Reads the config back from a model's <c>fusion_head_config</c> metadata property.</summary>
    public static FusionHeadConfig ReadConfig(ReadOnlyMemory<byte> model)
    {
        global::Onnx.ModelProto proto;
        try
        {
            proto = global::Onnx.ModelProto.Parser.ParseFrom(model.Span);
        }
        catch (InvalidProtocolBufferException ex)
        {
            throw new InvalidDataException($"The fusion head is not an ONNX model: {ex.Message}", ex);
        }
        var entry = proto.MetadataProps.FirstOrDefault(p => p.Key == FusionHeadConfig.MetadataKey);
        return entry is not null
            ? FusionHeadConfig.FromJson(entry.Value)
            : throw new InvalidDataException($"The ONNX model has no '{FusionHeadConfig.MetadataKey}' metadata property.");
    }

    /// <summary>The nodes of the graph; initializers carry the PyTorch parameter names.</summary>
    private sealed class FusionHeadGraph(OnnxGraphBuilder g, FusionHeadConfig config)
    {
        private readonly int _headDim = config.ModelDim / config.Heads;
        private string _qkvShape = "";
        private string _mergeShape = "";

        public void Emit()
        {
            _qkvShape = g.Int64Constant("const.split_heads_shape", 0, 0, config.Heads, _headDim);
            _mergeShape = g.Int64Constant("const.merge_heads_shape", 0, 0, config.ModelDim);
            var memory = Linear("image_proj", ImageTokensInput);
            var x = Linear("text_proj", TextTokensInput);
            var keyBias = PaddingBias();
            for (var i = 0; i < config.Layers; i++)
            {
                var prefix = string.Create(CultureInfo.InvariantCulture, $"decoder.layers.{i}.");
                var selfAttention = Attention(prefix + "self_attn", x, x, keyBias);
                x = LayerNorm(prefix + "norm1", g.Node("Add", [x, selfAttention]));
                var crossAttention = Attention(prefix + "multihead_attn", x, memory, keyBias: null);
                x = LayerNorm(prefix + "norm2", g.Node("Add", [x, crossAttention]));
                var hidden = g.Node("Relu", [Linear(prefix + "linear1", x)]);
                x = LayerNorm(prefix + "norm3", g.Node("Add", [x, Linear(prefix + "linear2", hidden)]));
            }
            var index = g.Initializer("const.first_position", [], [0L]);
            var first = g.Node("Gather", [x, index], null, OnnxAttribute.Of("axis", 1L));
            var head = LayerNorm("head.0", first);
            head = g.Node("Relu", [Linear("head.1", head)]);
            g.Node("Sigmoid", [Linear("head.3", head)], BoxesOutput);
        }

        /// <summary>text_mask [B, T] (1 token, 0 pad) -> additive bias [B, 1, 1, T] (0 or a large negative).</summary>
        private string PaddingBias()
        {
            var mask = g.Node("Cast", [TextMaskInput], null, OnnxAttribute.Of("to", (long)DataType.Float));
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
            var weights = g.NodeMulti("Split", [name + ".in_proj_weight"], 3, [], OnnxAttribute.Of("axis", 0L));
            var biases = g.NodeMulti("Split", [name + ".in_proj_bias"], 3, [], OnnxAttribute.Of("axis", 0L));
            var scale = g.Initializer(name + ".const.scale", [], [1f / MathF.Sqrt(_headDim)]);

            // PyTorch scales q before the product; doing the same keeps the rounding alike.
            var q = g.Node("Mul", [Linear(query, g.Node("Transpose", [weights[0]]), biases[0]), scale]);
            var k = Linear(keyValue, g.Node("Transpose", [weights[1]]), biases[1]);
            var v = Linear(keyValue, g.Node("Transpose", [weights[2]]), biases[2]);

            var qHeads = SplitHeads(q, 0, 2, 1, 3);   // [B, H, Tq, hd]
            var kHeads = SplitHeads(k, 0, 2, 3, 1);   // [B, H, hd, Tk]
            var vHeads = SplitHeads(v, 0, 2, 1, 3);   // [B, H, Tk, hd]
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
}
