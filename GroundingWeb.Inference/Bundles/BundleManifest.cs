namespace GroundingWeb.Inference.Bundles;

/// <summary>
/// The contents of a bundle's <c>bundle.json</c> (DESIGN.md section 3): everything the runtime needs
/// to run the three ONNX models, stated rather than guessed.
/// </summary>
public sealed record BundleManifest
{
    public const string FileName = "bundle.json";

    /// <summary>Reads <c>bundle.json</c> in <paramref name="bundleDirectory"/> and checks every field that can be checked without the ONNX files.</summary>
    /// <exception cref="BundleException">The file is missing, not JSON, misspells a field or states an impossible value; the message names the field.</exception>
    public static BundleManifest Read(string bundleDirectory) => BundleManifestReader.Read(bundleDirectory);

    /// <summary>Writes <paramref name="manifest"/> as <c>bundle.json</c> in <paramref name="bundleDirectory"/>, whole or not at all.</summary>
    public static void Write(string bundleDirectory, BundleManifest manifest) => BundleManifestReader.Write(bundleDirectory, manifest);

    public int Format { get; init; } = 1;
    public required string Name { get; init; }
    public required string Version { get; init; }
    public string? Description { get; init; }

    /// <summary>False while the fusion head holds untrained weights; the UI and CLI say so plainly.</summary>
    public bool Trained { get; init; }

    public required VisionEncoderManifest Vision { get; init; }
    public required TextEncoderManifest Text { get; init; }
    public required FusionHeadManifest Fusion { get; init; }
    public Provenance? Provenance { get; init; }

    /// <summary>
    /// Size and SHA-256 of files in the bundle by relative path (external data files included),
    /// checked on every load; <c>grounding bundle create</c> records every file it copies.
    /// </summary>
    public Dictionary<string, FileChecksum>? Files { get; init; }
}

public sealed record FileChecksum
{
    public required long Bytes { get; init; }
    public required string Sha256 { get; init; }
}

public sealed record VisionEncoderManifest
{
    public required string File { get; init; }
    public required string Input { get; init; }
    public required string Output { get; init; }

    /// <summary>Number of image tokens the encoder emits (e.g. 201 for DINOv3 ViT-B/16, 49 for the demo ResNet-18 map).</summary>
    public required int Tokens { get; init; }

    /// <summary>Width of each image token (768 for DINOv3 ViT-B/16).</summary>
    public required int Width { get; init; }

    public required PreprocessingManifest Preprocessing { get; init; }
    public FileSource? Source { get; init; }
}

public sealed record PreprocessingManifest
{
    public required int Width { get; init; }
    public required int Height { get; init; }

    /// <summary>
    /// <c>cv2-bilinear</c> (OpenCV INTER_LINEAR on bytes, as albumentations), <c>antialias-bilinear</c> (Pillow on bytes)
    /// or <c>antialias-bilinear-float</c> (torchvision antialias on the float image, as Hugging Face's DINOv3 processor).
    /// </summary>
    public required string Resize { get; init; }

    /// <summary><c>rgb</c> or <c>bgr</c>: the plane order of the encoder's input.</summary>
    public required string ChannelOrder { get; init; }

    /// <summary>Pixel bytes are divided by this before mean/std (255 for [0,1] inputs, 1 for raw 0-255).</summary>
    public required float Scale { get; init; }

    public required float[] Mean { get; init; }
    public required float[] Std { get; init; }
}

public sealed record TextEncoderManifest
{
    public required string File { get; init; }
    public required string InputIds { get; init; }
    public required string AttentionMask { get; init; }

    /// <summary>Optional: some BERT exports take no token type ids.</summary>
    public string? TokenTypeIds { get; init; }

    public required string Output { get; init; }
    public required int Width { get; init; }
    public required TokenizerManifest Tokenizer { get; init; }
    public FileSource? Source { get; init; }
}

public sealed record TokenizerManifest
{
    public required string Vocab { get; init; }
    public required bool LowerCase { get; init; }
    public required int MaxTokens { get; init; }
    public FileSource? Source { get; init; }
}

public sealed record FusionHeadManifest
{
    /// <summary>The split form's image-side outputs and prompt-side inputs (fixed names, DESIGN.md section 3).</summary>
    public const string CrossKeys = "cross_keys";

    /// <inheritdoc cref="CrossKeys"/>
    public const string CrossValues = "cross_values";

    /// <summary>Metadata key in each half written by GroundingWeb: the SHA-256 of the <see cref="File"/> it was made from.</summary>
    public const string WholeSha256Key = "fusion_head_sha256";

    public required string File { get; init; }
    public string ImageTokens { get; init; } = "image_tokens";
    public string TextTokens { get; init; } = "text_tokens";
    public string TextMask { get; init; } = "text_mask";
    public string Output { get; init; } = "boxes";

    /// <summary>
    /// Optional split form (DESIGN.md section 3): a graph that turns <see cref="ImageTokens"/> into every
    /// layer's cross-attention <c>cross_keys</c> and <c>cross_values</c>, run once per image and cached
    /// with it. Give both or neither; with them, <see cref="File"/> stays the head's canonical file but is
    /// not opened for serving.
    /// </summary>
    public string? ImageSide { get; init; }

    /// <summary>The split form's other graph: <see cref="TextTokens"/>, <see cref="TextMask"/>, <c>cross_keys</c> and <c>cross_values</c> to <see cref="Output"/>.</summary>
    public string? PromptSide { get; init; }

    /// <summary>Only <c>xyxy-normalized</c> exists today: (xmin, ymin, xmax, ymax) in [0,1] of the resized input.</summary>
    public string BoxFormat { get; init; } = "xyxy-normalized";

    /// <summary>
    /// Optional second output: a presence score per prompt, whether the phrase names something in the
    /// image. Null for heads without one: they give boxes and no score, as before.
    /// </summary>
    public PresenceManifest? Presence { get; init; }
}

/// <summary>The fusion head's presence output (DESIGN.md section 3, issue 15).</summary>
public sealed record PresenceManifest
{
    /// <summary>The output's name in the fusion graph (and the split form's prompt side): shape [B, 1].</summary>
    public string Output { get; init; } = "presence";

    /// <summary><c>logit</c> (the runtime applies the sigmoid) or <c>probability</c> (already in [0, 1]).</summary>
    public string Kind { get; init; } = "logit";

    /// <summary>The probability at and above which the phrase counts as found (the box is drawn); in (0, 1).</summary>
    public required double Threshold { get; init; }
}

/// <summary>
/// Where a large file comes from when it is not committed: a restored NuGet package and a recipe
/// that turns the package's file into ours. The checksum is of the file we write.
/// </summary>
public sealed record FileSource
{
    public required string Package { get; init; }
    public required string Version { get; init; }
    public required string Recipe { get; init; }
    public required string Sha256 { get; init; }
}

public sealed record Provenance
{
    public string? TrainedOn { get; init; }
    public string? Notes { get; init; }
    public Dictionary<string, SplitMetrics>? Metrics { get; init; }
    public List<EpochRecord>? History { get; init; }
}

public sealed record SplitMetrics
{
    public int Count { get; init; }
    public double MeanIou { get; init; }
    public double AccuracyAt50 { get; init; }
    public double AccuracyAt75 { get; init; }
    public double? CocoAp50 { get; init; }
    public double? CocoAp75 { get; init; }

    // "Not in this image" (issue 15), where the split has no-target samples or the head a presence output; the box metrics above are over the others.
    [System.Text.Json.Serialization.JsonIgnore(Condition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingNull)]
    public int? NoTargetCount { get; init; }
    [System.Text.Json.Serialization.JsonIgnore(Condition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingNull)]
    public double? NoTargetAccuracy { get; init; }
    [System.Text.Json.Serialization.JsonIgnore(Condition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingNull)]
    public double? TargetAccuracy { get; init; }
    [System.Text.Json.Serialization.JsonIgnore(Condition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingNull)]
    public double? PresenceAuroc { get; init; }
}

public sealed record EpochRecord
{
    public int Epoch { get; init; }
    public double TrainLoss { get; init; }
    public double TrainIou { get; init; }
    public double ValLoss { get; init; }
    public double ValIou { get; init; }

    /// <summary>A presence head's val accuracy at probability 0.5 (share of samples it calls right), else null.</summary>
    public double? ValPresenceAccuracy { get; init; }

    /// <summary>A presence head's val AUROC (positives against no-target samples), else null.</summary>
    public double? ValPresenceAuroc { get; init; }
}
