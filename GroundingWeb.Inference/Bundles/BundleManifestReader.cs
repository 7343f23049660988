using System.Text.Json;
using System.Text.Json.Serialization;
using GroundingWeb.Inference.Imaging;

namespace GroundingWeb.Inference.Bundles;

/// <summary>Reads <c>bundle.json</c> and checks every field that can be checked without the ONNX files.</summary>
internal static class BundleManifestReader
{
    public const string FileName = BundleManifest.FileName;

    internal static readonly JsonSerializerOptions JsonOptions = new(JsonSerializerDefaults.Web)
    {
        // A misspelt field would otherwise be ignored silently and its default used.
        UnmappedMemberHandling = JsonUnmappedMemberHandling.Disallow,
        WriteIndented = true,
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    };

    public static BundleManifest Read(string bundleDirectory)
    {
        var path = Path.Combine(bundleDirectory, FileName);
        if (!File.Exists(path))
        {
            throw new BundleException($"{path} is missing: a bundle folder must hold a {FileName} manifest.");
        }
        BundleManifest? manifest;
        try
        {
            manifest = JsonSerializer.Deserialize<BundleManifest>(File.ReadAllText(path), JsonOptions);
        }
        catch (JsonException ex)
        {
            var where = ex.Path is null ? "" : $" at '{ex.Path.TrimStart('$', '.')}'";
            throw new BundleException($"{path} is not a valid bundle manifest{where}: {ex.Message}", ex);
        }
        if (manifest is null)
        {
            throw new BundleException($"{path} is empty (null).");
        }
        Validate(manifest, path);
        return manifest;
    }

    public static void Write(string bundleDirectory, BundleManifest manifest)
    {
        Shared.AtomicFile.WriteAllText(Path.Combine(bundleDirectory, FileName), JsonSerializer.Serialize(manifest, JsonOptions) + "\n");
    }

    internal static void Validate(BundleManifest m, string path)
    {
        void Fail(string field, string problem) => throw new BundleException($"{path}: field '{field}' {problem}");

        if (m.Format != 1) Fail("format", $"is {m.Format}; this version reads format 1 only.");
        if (string.IsNullOrWhiteSpace(m.Name)) Fail("name", "must not be empty.");
        RequireFileName(m.Vision.File, "vision.file", Fail);
        RequireFileName(m.Text.File, "text.file", Fail);
        RequireFileName(m.Text.Tokenizer.Vocab, "text.tokenizer.vocab", Fail);
        RequireFileName(m.Fusion.File, "fusion.file", Fail);
        if (m.Fusion.ImageSide is { } imageSide) RequireFileName(imageSide, "fusion.imageSide", Fail);
        if (m.Fusion.PromptSide is { } promptSide) RequireFileName(promptSide, "fusion.promptSide", Fail);
        if (m.Vision.Tokens <= 0) Fail("vision.tokens", $"must be positive (is {m.Vision.Tokens}).");
        if (m.Vision.Width <= 0) Fail("vision.width", $"must be positive (is {m.Vision.Width}).");
        if (m.Text.Width <= 0) Fail("text.width", $"must be positive (is {m.Text.Width}).");
        if (m.Text.Tokenizer.MaxTokens is < 2 or > 4096)
        {
            Fail("text.tokenizer.maxTokens", $"must be between 2 and 4096 (is {m.Text.Tokenizer.MaxTokens}).");
        }
        if (m.Fusion.Presence is { } presence)
        {
            if (presence.Kind is not ("logit" or "probability"))
            {
                Fail("fusion.presence.kind", $"is '{presence.Kind}'; it must be 'logit' or 'probability'.");
            }
            if (!(presence.Threshold is > 0 and < 1))
            {
                Fail("fusion.presence.threshold", $"is {presence.Threshold}; it must be a probability strictly between 0 and 1.");
            }
            if (string.IsNullOrWhiteSpace(presence.Output))
            {
                Fail("fusion.presence.output", "is empty; it names the fusion graph's presence output.");
            }
        }
        if (m.Fusion.BoxFormat != "xyxy-normalized")
        {
            Fail("fusion.boxFormat", $"is '{m.Fusion.BoxFormat}'; only 'xyxy-normalized' is supported.");
        }
        var p = m.Vision.Preprocessing;
        if (p.Width <= 0 || p.Height <= 0) Fail("vision.preprocessing.width/height", $"must be positive (is {p.Width}x{p.Height}).");
        if (!(p.Scale > 0)) Fail("vision.preprocessing.scale", $"must be positive (is {p.Scale}).");
        if (p.Mean is not { Length: 3 }) Fail("vision.preprocessing.mean", "must list 3 values, one per channel.");
        if (p.Std is not { Length: 3 }) Fail("vision.preprocessing.std", "must list 3 values, one per channel.");
        if (p.Std.Any(s => !(s > 0))) Fail("vision.preprocessing.std", "values must be positive.");
        _ = ParseResize(p.Resize, path);
        _ = ParseChannelOrder(p.ChannelOrder, path);
    }

    /// <summary>The manifest's preprocessing as the imaging code takes it.</summary>
    internal static ImagePreprocessing ToImagePreprocessing(PreprocessingManifest p, string manifestPath) =>
        new(p.Width, p.Height, ParseResize(p.Resize, manifestPath), ParseChannelOrder(p.ChannelOrder, manifestPath), p.Scale, p.Mean, p.Std);

    private static ResizeMethod ParseResize(string value, string path) => value switch
    {
        "cv2-bilinear" => ResizeMethod.Cv2Bilinear,
        "antialias-bilinear" => ResizeMethod.AntialiasBilinear,
        "antialias-bilinear-float" => ResizeMethod.AntialiasBilinearFloat,
        _ => throw new BundleException(
            $"{path}: field 'vision.preprocessing.resize' is '{value}'; use 'cv2-bilinear', 'antialias-bilinear' or 'antialias-bilinear-float'."),
    };

    private static ChannelOrder ParseChannelOrder(string value, string path) => value switch
    {
        "rgb" => ChannelOrder.Rgb,
        "bgr" => ChannelOrder.Bgr,
        _ => throw new BundleException($"{path}: field 'vision.preprocessing.channelOrder' is '{value}'; use 'rgb' or 'bgr'."),
    };

    private static void RequireFileName(string value, string field, Action<string, string> fail)
    {
        if (string.IsNullOrWhiteSpace(value))
        {
            fail(field, "must name a file in the bundle folder.");
        }
        // Files live inside the bundle: a path that climbs out of it is refused.
        if (Path.IsPathRooted(value) || value.Split('/', '\\').Contains(".."))
        {
            fail(field, $"'{value}' must be a relative path inside the bundle folder.");
        }
    }
}
