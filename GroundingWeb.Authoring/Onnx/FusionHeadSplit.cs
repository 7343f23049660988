using System.Runtime.InteropServices;
using System.Security.Cryptography;
using Google.Protobuf;
using static GroundingWeb.Authoring.Onnx.FusionHeadOnnxWriter;
using DataType = Onnx.TensorProto.Types.DataType;

namespace GroundingWeb.Authoring.Onnx;

/// <summary>
/// The split form of a fusion head (DESIGN.md section 3): the same weights as the whole graph in two
/// graphs. The image side turns an image's tokens into every layer's cross-attention keys and
/// values, once per image; the prompt side takes them with the prompts' text tokens and gives the
/// boxes, so the image-side work (about three quarters of a prompt's cost in the whole graph) is not
/// redone for each prompt. Each half records the SHA-256 of the whole graph it was made from, so a
/// loader can tell when <c>fusion.onnx</c> was replaced and the halves were not.
/// </summary>
public static class FusionHeadSplit
{
    /// <summary>Metadata key: SHA-256 (hex) of the whole <c>fusion.onnx</c> the half was written from.</summary>
    public const string WholeSha256Key = Inference.Bundles.FusionHeadManifest.WholeSha256Key;

    /// <summary>Metadata key: <c>image</c> or <c>prompt</c>.</summary>
    public const string PartKey = "fusion_head_part";

    /// <summary>The halves' file names beside a whole graph: <c>fusion.onnx</c> -> <c>fusion_image.onnx</c>, <c>fusion_prompt.onnx</c>.</summary>
    public static (string ImageSide, string PromptSide) FileNames(string fusionFile)
    {
        ArgumentException.ThrowIfNullOrEmpty(fusionFile);
        var folder = Path.GetDirectoryName(fusionFile) ?? "";
        var stem = Path.GetFileNameWithoutExtension(fusionFile);
        return (Path.Combine(folder, stem + "_image.onnx"), Path.Combine(folder, stem + "_prompt.onnx"));
    }

    /// <summary>image_tokens [B, N, Dv] -> cross_keys [L, B, H, hd, N], cross_values [L, B, H, N, hd].</summary>
    public static byte[] BuildImageSide(FusionHeadConfig config, FusionHeadWeights weights, string wholeSha256)
    {
        var g = Start(config, weights, wholeSha256, "image", IsImageSide);
        g.Input(ImageTokensInput, DataType.Float, "B", "N", config.ImageDim);
        new FusionHeadGraph(g, config).EmitImageSide();
        var headDim = config.ModelDim / config.Heads;
        g.Output(CrossKeysName, DataType.Float, config.Layers, "B", config.Heads, headDim, "N");
        g.Output(CrossValuesName, DataType.Float, config.Layers, "B", config.Heads, "N", headDim);
        return g.Build("fusion_head_image_side", "GroundingWeb", Opset).ToByteArray();
    }

    /// <summary>text_tokens, text_mask and the image side's outputs (batch 1 or B) -> boxes [B, 4] (and presence [B, 1]).</summary>
    public static byte[] BuildPromptSide(FusionHeadConfig config, FusionHeadWeights weights, string wholeSha256)
    {
        // The packed cross-attention in-projection stays whole (its q rows are used here) under its PyTorch name.
        var g = Start(config, weights, wholeSha256, "prompt", name => !name.StartsWith("image_proj.", StringComparison.Ordinal));
        var headDim = config.ModelDim / config.Heads;
        g.Input(TextTokensInput, DataType.Float, "B", "T", config.TextDim);
        g.Input(TextMaskInput, DataType.Int64, "B", "T");
        g.Input(CrossKeysName, DataType.Float, config.Layers, "Bi", config.Heads, headDim, "N");
        g.Input(CrossValuesName, DataType.Float, config.Layers, "Bi", config.Heads, "N", headDim);
        new FusionHeadGraph(g, config).EmitPromptSide();
        g.Output(BoxesOutput, DataType.Float, "B", 4);
        if (config.Presence)
        {
            g.Output(FusionHeadConfig.PresenceOutput, DataType.Float, "B", 1);
        }
        return g.Build("fusion_head_prompt_side", "GroundingWeb", Opset).ToByteArray();
    }

    /// <summary>
    /// Writes both halves beside the whole graph at <paramref name="fusionPath"/>, from that file's
    /// weights and config metadata (our writer's); each atomically. Returns their paths.
    /// </summary>
    /// <exception cref="InvalidDataException">The file is not a fusion head written with its config and weights by name.</exception>
    public static (string ImageSide, string PromptSide) WriteBeside(string fusionPath)
    {
        var whole = File.ReadAllBytes(fusionPath);
        var config = ReadConfig(whole);
        var weights = ReadWeights(whole, config);
        var sha = Convert.ToHexStringLower(SHA256.HashData(whole));
        var (image, prompt) = FileNames(fusionPath);
        Shared.AtomicFile.WriteAllBytes(image, BuildImageSide(config, weights, sha));
        Shared.AtomicFile.WriteAllBytes(prompt, BuildPromptSide(config, weights, sha));
        return (image, prompt);
    }

    /// <summary>The head's parameters from a whole graph's initializers, by their PyTorch names.</summary>
    /// <exception cref="InvalidDataException">A parameter is missing, of another shape, or not float32.</exception>
    public static FusionHeadWeights ReadWeights(ReadOnlyMemory<byte> model, FusionHeadConfig config)
    {
        ArgumentNullException.ThrowIfNull(config);
        var graph = global::Onnx.ModelProto.Parser.ParseFrom(model.Span).Graph;
        var byName = graph.Initializer.ToDictionary(t => t.Name, StringComparer.Ordinal);
        var tensors = new List<NamedTensor>();
        foreach (var (name, shape) in config.ParameterShapes())
        {
            if (!byName.TryGetValue(name, out var tensor))
            {
                throw new InvalidDataException($"The fusion head has no initializer '{name}'.");
            }
            if (tensor.DataType != (int)DataType.Float || !tensor.Dims.SequenceEqual(shape.Select(d => (long)d)))
            {
                throw new InvalidDataException($"The fusion head's '{name}' is not a float32 tensor of shape [{string.Join(", ", shape)}].");
            }
            var data = tensor.RawData.Length > 0 ? MemoryMarshal.Cast<byte, float>(tensor.RawData.Span).ToArray() : tensor.FloatData.ToArray();
            tensors.Add(new NamedTensor(name, shape, data));
        }
        try
        {
            return new FusionHeadWeights(config, tensors);
        }
        catch (ArgumentException ex)
        {
            throw new InvalidDataException($"The fusion head's weights do not match its config: {ex.Message}", ex);
        }
    }

    /// <summary>
    /// The whole graph's SHA-256 a half records, or null when it records none (written elsewhere).
    /// Reads only the model's metadata entries; the graph and its weights are skipped over.
    /// </summary>
    public static string? RecordedWholeSha256(string halfPath)
    {
        using var stream = File.OpenRead(halfPath);
        using var input = new CodedInputStream(stream);
        const int metadataField = 14; // ModelProto.metadata_props
        uint tag;
        while ((tag = input.ReadTag()) != 0)
        {
            if (WireFormat.GetTagFieldNumber(tag) != metadataField)
            {
                input.SkipLastField();
                continue;
            }
            var entry = new global::Onnx.StringStringEntryProto();
            input.ReadMessage(entry);
            if (entry.Key == WholeSha256Key) return entry.Value;
        }
        return null;
    }

    private static bool IsImageSide(string name) =>
        name.StartsWith("image_proj.", StringComparison.Ordinal) || name.Contains(".multihead_attn.in_proj_", StringComparison.Ordinal);

    private static OnnxGraphBuilder Start(FusionHeadConfig config, FusionHeadWeights weights, string wholeSha256, string part, Func<string, bool> uses)
    {
        ArgumentNullException.ThrowIfNull(config);
        ArgumentNullException.ThrowIfNull(weights);
        ArgumentException.ThrowIfNullOrEmpty(wholeSha256);
        if (weights.Config != config)
        {
            throw new ArgumentException($"The weights were validated for {weights.Config.ToJson()} but the config to write is {config.ToJson()}.");
        }
        var g = new OnnxGraphBuilder();
        foreach (var tensor in weights.Tensors.Where(t => uses(t.Name)))
        {
            g.Initializer(tensor.Name, tensor.Shape, tensor.Data);
        }
        g.Metadata(FusionHeadConfig.MetadataKey, config.ToJson());
        g.Metadata(PartKey, part);
        g.Metadata(WholeSha256Key, wholeSha256);
        return g;
    }
}
