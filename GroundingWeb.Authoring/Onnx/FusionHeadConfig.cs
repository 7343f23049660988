using System.Text.Json;
using System.Text.Json.Serialization;

namespace GroundingWeb.Authoring.Onnx;

/// <summary>
/// Shape of the trainable fusion head: image/text projections, a post-norm PyTorch-style
/// <c>TransformerDecoder</c> and the box head (DESIGN.md section 1). With <see cref="Presence"/>, a second
/// small head on the same position-0 token gives a presence logit per prompt (issue 15: "not in this
/// image"); a config without it is written and read exactly as before.
/// </summary>
public sealed record FusionHeadConfig(
    [property: JsonPropertyName("image_dim")] int ImageDim,
    [property: JsonPropertyName("text_dim")] int TextDim,
    [property: JsonPropertyName("model_dim")] int ModelDim,
    [property: JsonPropertyName("layers")] int Layers,
    [property: JsonPropertyName("heads")] int Heads,
    [property: JsonPropertyName("feed_forward")] int FeedForward,
    [property: JsonPropertyName("presence"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingDefault)] bool Presence = false)
{
    /// <summary>The graph output of a head with <see cref="Presence"/>: one logit per prompt [B, 1], "the phrase names something in this image".</summary>
    public const string PresenceOutput = "presence";

    /// <summary>Width of the hidden layer of the box head (fixed by the reference model).</summary>
    public const int HeadHidden = 256;

    /// <summary>Key of the ONNX metadata property that stores this config as JSON.</summary>
    public const string MetadataKey = "fusion_head_config";

    private static readonly JsonSerializerOptions JsonOptions = new() { WriteIndented = false };

    /// <summary>The reference model: DINOv3 ViT-B/16 tokens (768), BGE-small tokens (384), D512, 6 layers, 8 heads, FF 2048 (no presence head).</summary>
    public static FusionHeadConfig Reference { get; } = new(768, 384, 512, 6, 8, 2048);

    /// <summary>Every trainable parameter with its PyTorch name and shape, in module order.</summary>
    public IReadOnlyList<(string Name, int[] Shape)> ParameterShapes()
    {
        Validate();
        var d = ModelDim;
        var shapes = new List<(string, int[])>
        {
            ("image_proj.weight", [d, ImageDim]),
            ("image_proj.bias", [d]),
            ("text_proj.weight", [d, TextDim]),
            ("text_proj.bias", [d]),
        };
        for (var i = 0; i < Layers; i++)
        {
            var prefix = $"decoder.layers.{i}.";
            foreach (var attention in new[] { "self_attn", "multihead_attn" })
            {
                shapes.Add(($"{prefix}{attention}.in_proj_weight", [3 * d, d]));
                shapes.Add(($"{prefix}{attention}.in_proj_bias", [3 * d]));
                shapes.Add(($"{prefix}{attention}.out_proj.weight", [d, d]));
                shapes.Add(($"{prefix}{attention}.out_proj.bias", [d]));
            }
            shapes.Add(($"{prefix}linear1.weight", [FeedForward, d]));
            shapes.Add(($"{prefix}linear1.bias", [FeedForward]));
            shapes.Add(($"{prefix}linear2.weight", [d, FeedForward]));
            shapes.Add(($"{prefix}linear2.bias", [d]));
            foreach (var norm in new[] { "norm1", "norm2", "norm3" })
            {
                shapes.Add(($"{prefix}{norm}.weight", [d]));
                shapes.Add(($"{prefix}{norm}.bias", [d]));
            }
        }
        shapes.Add(("head.0.weight", [d]));
        shapes.Add(("head.0.bias", [d]));
        shapes.Add(("head.1.weight", [HeadHidden, d]));
        shapes.Add(("head.1.bias", [HeadHidden]));
        shapes.Add(("head.3.weight", [4, HeadHidden]));
        shapes.Add(("head.3.bias", [4]));
        if (Presence)
        {
            // On head.0's normalised token, beside the box MLP: Linear, ReLU, Linear to one logit.
            shapes.Add(("presence.0.weight", [HeadHidden, d]));
            shapes.Add(("presence.0.bias", [HeadHidden]));
            shapes.Add(("presence.2.weight", [1, HeadHidden]));
            shapes.Add(("presence.2.bias", [1]));
        }
        return shapes;
    }

    /// <summary>Total number of trainable scalars (25,948,420 for <see cref="Reference"/>).</summary>
    [JsonIgnore]
    public long ParameterCount => ParameterShapes().Sum(p => p.Shape.Aggregate(1L, (a, b) => a * b));

    /// <summary>Throws when a dimension is not positive or the heads do not divide the model width.</summary>
    public void Validate()
    {
        if (ImageDim <= 0 || TextDim <= 0 || ModelDim <= 0 || Layers <= 0 || Heads <= 0 || FeedForward <= 0)
        {
            throw new ArgumentException(
                $"Every fusion-head dimension must be positive (image {ImageDim}, text {TextDim}, model {ModelDim}, layers {Layers}, heads {Heads}, feed-forward {FeedForward}).");
        }
        if (ModelDim % Heads != 0)
        {
            throw new ArgumentException($"ModelDim {ModelDim} must be divisible by Heads {Heads}.");
        }
    }

    public string ToJson() => JsonSerializer.Serialize(this, JsonOptions);

    public static FusionHeadConfig FromJson(string json)
    {
        var config = JsonSerializer.Deserialize<FusionHeadConfig>(json, JsonOptions)
            ?? throw new InvalidDataException($"'{MetadataKey}' holds no JSON object.");
        config.Validate();
        return config;
    }
}
