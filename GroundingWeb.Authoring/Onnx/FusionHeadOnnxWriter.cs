using Google.Protobuf;
using DataType = Onnx.TensorProto.Types.DataType;

namespace GroundingWeb.Authoring.Onnx;

/// <summary>
/// Writes a fusion head as an ONNX model (opset 17) that follows the fusion-head contract of
/// DESIGN.md section 3: inputs <c>image_tokens</c> [B, N, Dv], <c>text_tokens</c> [B, T, Dt],
/// <c>text_mask</c> int64 [B, T]; output <c>boxes</c> [B, 4], and <c>presence</c> [B, 1] (a logit) for a
/// head with a presence head. The graph computes what PyTorch's
/// post-norm <c>nn.TransformerDecoder</c> computes in eval mode, then the box head on position 0.
/// </summary>
public static class FusionHeadOnnxWriter
{
    public const string ImageTokensInput = "image_tokens";
    public const string TextTokensInput = "text_tokens";
    public const string TextMaskInput = "text_mask";
    public const string BoxesOutput = "boxes";

    /// <summary>The split form's image-side outputs (prompt-side inputs): every layer's cross-attention keys [L, B, H, hd, N] and values [L, B, H, N, hd].</summary>
    public const string CrossKeysName = Inference.Bundles.FusionHeadManifest.CrossKeys;

    /// <inheritdoc cref="CrossKeysName"/>
    public const string CrossValuesName = Inference.Bundles.FusionHeadManifest.CrossValues;
    public const long Opset = 17;

    /// <summary>Added to attention scores of padded keys; large enough that softmax gives them exactly zero.</summary>
    internal const float MaskedScore = -1e9f;

    internal const float LayerNormEpsilon = 1e-5f;

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
        new FusionHeadGraph(g, config).EmitWhole();
        g.Output(BoxesOutput, DataType.Float, "B", 4);
        if (config.Presence)
        {
            g.Output(FusionHeadConfig.PresenceOutput, DataType.Float, "B", 1);
        }
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
}
