using System.CommandLine;
using System.Text.Json;
using GroundingWeb.Inference.Imaging;
using GroundingWeb.Shared;
using GroundingWeb.Inference.Pipeline;
using GroundingWeb.Inference.Runtime;

namespace GroundingWeb.Cli.Commands;

/// <summary><c>grounding predict</c>: boxes for one or more prompts on one image.</summary>
internal static class PredictCommand
{
    public static Command Create()
    {
        var bundle = new Option<string>("--bundle") { Description = "Bundle folder (holds bundle.json).", DefaultValueFactory = _ => "models/demo" };
        var image = new Option<string>("--image") { Description = "Image file (JPEG, PNG, GIF, BMP, WebP, TIFF).", Required = true };
        var prompts = new Option<string[]>("--prompt") { Description = "What to find; repeat for several prompts.", Required = true, AllowMultipleArgumentsPerToken = false };
        var crop = new Option<string?>("--crop") { Description = "Write the predicted region as PNG (several prompts: NAME-1.png, NAME-2.png, ...)." };
        var json = new Option<bool>("--json") { Description = "Print the result as JSON." };
        var provider = new Option<ExecutionProviderPreference>("--provider") { Description = "auto, cuda or cpu.", DefaultValueFactory = _ => ExecutionProviderPreference.Auto };
        var verbose = new Option<bool>("--verbose") { Description = "Log provider selection and timings." };
        var command = new Command("predict", "Ground prompts in an image and print the boxes.") { bundle, image, prompts, crop, json, provider, verbose };
        command.SetAction(parse => CliErrors.Run(() => Execute(
            parse.GetValue(bundle)!, parse.GetValue(image)!, parse.GetValue(prompts)!, parse.GetValue(crop),
            parse.GetValue(json), parse.GetValue(provider), parse.GetValue(verbose))));
        return command;
    }

    private static int Execute(string bundlePath, string imagePath, string[] prompts, string? cropPath, bool json, ExecutionProviderPreference provider, bool verbose)
    {
        var bytes = CliErrors.ReadInputFile(imagePath, "Image");
        using var pipeline = CliEngine.Open(bundlePath, provider, verbose);
        var result = pipeline.Ground(bytes, prompts);
        var manifest = pipeline.Manifest;
        var crops = cropPath is null ? [] : WriteCrops(bytes, pipeline, result, cropPath);

        if (json)
        {
            Console.WriteLine(JsonSerializer.Serialize(new
            {
                model = new { manifest.Name, manifest.Version, manifest.Trained, presenceThreshold = manifest.Fusion.Presence?.Threshold },
                image = new { path = imagePath, width = result.ImageWidth, height = result.ImageHeight, sha256 = result.ImageSha256 },
                provider = result.Provider,
                predictions = result.Predictions.Select((p, i) => new
                {
                    prompt = p.Prompt,
                    box = new[] { p.PixelBox.X1, p.PixelBox.Y1, p.PixelBox.X2, p.PixelBox.Y2 },
                    boxNormalized = new[] { p.NormalizedBox.X1, p.NormalizedBox.Y1, p.NormalizedBox.X2, p.NormalizedBox.Y2 },
                    crop = crops.Count > i ? crops[i] : null,
                    presence = p.Presence,
                    found = p.Found,
                }),
                timingsMs = result.Timings,
            }, GroundingJson.Indented));
        }
        else
        {
            Console.WriteLine($"model: {manifest.Name} {manifest.Version} on {result.Provider}; image {result.ImageWidth}x{result.ImageHeight}");
            for (var i = 0; i < result.Predictions.Count; i++)
            {
                var p = result.Predictions[i];
                var b = p.PixelBox;
                var verdict = p.Presence is { } presence ? $" {(p.Found == true ? "found" : "NOT IN THIS IMAGE")} (presence {presence:F3})" : "";
                Console.WriteLine($"\"{p.Prompt}\": [{b.X1:F1}, {b.Y1:F1}, {b.X2:F1}, {b.Y2:F1}] (xyxy px){verdict}{(crops.Count > i ? $" -> {crops[i]}" : "")}");
            }
            var t = result.Timings;
            Console.WriteLine($"timings ms: decode {t.DecodeMs:F1}, preprocess {t.PreprocessMs:F1}, vision {t.VisionMs:F1}, " +
                              $"tokenize {t.TokenizeMs:F2}, text {t.TextMs:F1}, fusion {t.FusionMs:F1}, total {t.TotalMs:F1}");
        }
        if (CliEngine.UntrainedWarning(manifest) is { } warning)
        {
            Console.Error.WriteLine(warning);
        }
        return 0;
    }

    private static List<string> WriteCrops(byte[] bytes, GroundingPipeline pipeline, GroundingResult result, string cropPath)
    {
        var decoded = ImageDecoder.Decode(bytes, pipeline.ImageLimits);
        var paths = new List<string>();
        for (var i = 0; i < result.Predictions.Count; i++)
        {
            var path = result.Predictions.Count == 1
                ? cropPath
                : Path.Combine(Path.GetDirectoryName(cropPath) ?? "", $"{Path.GetFileNameWithoutExtension(cropPath)}-{i + 1}{Path.GetExtension(cropPath)}");
            AtomicFile.WriteAllBytes(path, ImageCropper.CropToPng(decoded, result.Predictions[i].PixelBox));
            paths.Add(path);
        }
        return paths;
    }
}
