using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using GroundingWeb.Cli.Bundles;
using GroundingWeb.Inference.Runtime;

namespace GroundingWeb.Cli.Commands;

/// <summary><c>grounding bundle create</c>: the reference model's bundle from the two encoder exports and a head, in one command.</summary>
internal static class BundleCommand
{
    public static Command Create()
    {
        var vision = new Option<string>("--vision") { Description = "DINOv3 ONNX export: its folder (onnx/model.onnx + onnx/model.onnx_data) or the model file.", Required = true };
        var text = new Option<string>("--text") { Description = "BGE ONNX export: its folder (onnx/model.onnx and vocab.txt) or the model file.", Required = true };
        var head = new Option<string>("--head") { Description = "Fusion head: the reference's PyTorch state dict (best_model_iou.pt) or a fusion.onnx.", Required = true };
        var output = new Option<string>("--out") { Description = "Bundle folder to write.", Required = true };
        var preset = new Option<string>("--preset") { Description = "Image preprocessing: albumentations (the reference's training, default) or hf-processor.", DefaultValueFactory = _ => PreprocessingPresets.Albumentations };
        var name = new Option<string>("--name") { Description = "Bundle name.", DefaultValueFactory = _ => "dinov3-bge" };
        var version = new Option<string>("--version") { Description = "Bundle version.", DefaultValueFactory = _ => "1.0.0" };
        var heads = new Option<int>("--heads") { Description = "Attention heads of a state-dict head (the shapes cannot tell).", DefaultValueFactory = _ => 8 };
        var maxTokens = new Option<int>("--max-tokens") { Description = "Prompt tokens kept, [CLS] and [SEP] included.", DefaultValueFactory = _ => 64 };
        var untrained = new Option<bool>("--untrained") { Description = "Mark the head untrained (random weights, e.g. from init-head)." };
        var probe = new Option<string?>("--probe-image") { Description = "Image for the probe run (default: a generated one)." };
        var prompt = new Option<string>("--probe-prompt") { Description = "Prompt for the probe run.", DefaultValueFactory = _ => "the object in the middle" };
        var provider = new Option<ExecutionProviderPreference>("--provider") { Description = "Execution provider of the probe run.", DefaultValueFactory = _ => ExecutionProviderPreference.Auto };
        var force = new Option<bool>("--force") { Description = "Replace the bundle folder if it exists." };
        var json = new Option<bool>("--json") { Description = "Print one JSON document." };
        var create = new Command("create", "Assemble a validated bundle from a DINOv3 export, a BGE export and a fusion head, and ground one probe image with it.")
        {
            vision, text, head, output, preset, name, version, heads, maxTokens, untrained, probe, prompt, provider, force, json,
        };
        create.SetAction(parse => CliErrors.Run(() =>
        {
            var result = BundleAssembler.Create(new BundleCreateRequest
            {
                Vision = parse.GetValue(vision)!, Text = parse.GetValue(text)!, Head = parse.GetValue(head)!, Output = parse.GetValue(output)!,
                Preset = parse.GetValue(preset)!, Name = parse.GetValue(name)!, Version = parse.GetValue(version)!, Heads = parse.GetValue(heads),
                MaxTokens = parse.GetValue(maxTokens), Untrained = parse.GetValue(untrained), Force = parse.GetValue(force),
                ProbeImage = parse.GetValue(probe), ProbePrompt = parse.GetValue(prompt)!, Provider = parse.GetValue(provider),
            });
            var m = result.Manifest;
            var box = result.Probe.Predictions[0];
            if (parse.GetValue(json))
            {
                Console.WriteLine(JsonSerializer.Serialize(new
                {
                    bundle = result.Directory, name = m.Name, version = m.Version, trained = m.Trained, preset = parse.GetValue(preset),
                    vision = new { tokens = m.Vision.Tokens, width = m.Vision.Width }, text = new { width = m.Text.Width },
                    bytes = result.Bytes, files = m.Files,
                    probe = new { prompt = box.Prompt, box = new[] { box.PixelBox.X1, box.PixelBox.Y1, box.PixelBox.X2, box.PixelBox.Y2 }, provider = result.Provider, timings = result.Probe.Timings },
                    seconds = result.Elapsed.TotalSeconds,
                }, Shared.GroundingJson.Indented));
                return 0;
            }
            Console.WriteLine($"wrote {result.Directory}: {m.Name} {m.Version}{(m.Trained ? "" : " (UNTRAINED head)")}, {m.Files!.Count} files, {result.Bytes / 1e6:F1} MB, preset '{parse.GetValue(preset)}'");
            Console.WriteLine($"  vision: {m.Vision.Tokens} tokens of {m.Vision.Width}; text: width {m.Text.Width}; {m.Description}");
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"  probe on {result.Provider}: \"{box.Prompt}\" -> box [{box.PixelBox.X1:F1}, {box.PixelBox.Y1:F1}, {box.PixelBox.X2:F1}, {box.PixelBox.Y2:F1}] in {result.Probe.Timings.TotalMs:F0} ms " +
                $"(vision {result.Probe.Timings.VisionMs:F0}, text {result.Probe.Timings.TextMs:F0}, fusion {result.Probe.Timings.FusionMs:F0})"));
            Console.WriteLine($"  in {result.Elapsed.TotalSeconds:F1} s");
            return 0;
        }));
        var bundle = new Option<string>("--bundle") { Description = "Bundle folder whose fusion.onnx (written by GroundingWeb) gets its split form.", Required = true };
        var split = new Command("split", "Write the split form of a bundle's fusion head (image side once per image, prompt side per prompt) and record it in bundle.json.") { bundle };
        split.SetAction(parse => CliErrors.Run(() =>
        {
            var m = BundleSplitter.Split(parse.GetValue(bundle)!);
            Console.WriteLine($"wrote {m.Fusion.ImageSide} and {m.Fusion.PromptSide} from {m.Fusion.File}; bundle.json names them (fusion.imageSide, fusion.promptSide)");
            return 0;
        }));
        return new Command("bundle", "Model bundles: create one from the reference model's files, or split a bundle's fusion head.") { create, split };
    }
}
