using System.CommandLine;
using GroundingWeb.Cli.Training;

namespace GroundingWeb.Cli.Commands;

/// <summary><c>grounding export</c>: a trained head checkpoint plus an encoder bundle -> a new, trained bundle.</summary>
internal static class ExportCommand
{
    public static Command Create()
    {
        var checkpoint = new Option<string>("--checkpoint") { Description = "Head checkpoint (RUNDIR/best.safetensors).", Required = true };
        var encoders = new Option<string>("--encoders") { Description = "Bundle whose encoders the features were made with.", DefaultValueFactory = _ => "models/demo" };
        var output = new Option<string>("--out") { Description = "Folder of the new bundle.", Required = true };
        var name = new Option<string?>("--name") { Description = "Bundle name (default: the encoder bundle's)." };
        var version = new Option<string?>("--version") { Description = "Bundle version (default: the encoder bundle's, marked trained)." };
        var threshold = new Option<double?>("--presence-threshold")
        {
            Description = "A presence head's threshold (probability) for the bundle; default: the one training chose on val (best balanced accuracy).",
        };
        var command = new Command("export", "Write fusion.onnx from a trained checkpoint and assemble a bundle with the encoder bundle's manifest.")
        {
            checkpoint, encoders, output, name, version, threshold,
        };
        command.SetAction(parse => CliErrors.Run(() =>
        {
            var outDirectory = parse.GetValue(output)!;
            var manifest = BundleExporter.Export(parse.GetValue(checkpoint)!, parse.GetValue(encoders)!, outDirectory, parse.GetValue(name), parse.GetValue(version), parse.GetValue(threshold));
            var best = manifest.Provenance?.History?.MaxBy(r => r.ValIou);
            Console.WriteLine($"wrote {outDirectory}: {manifest.Name} {manifest.Version}, trained" + (best is null ? "" : $", best val IoU {best.ValIou:F4} (epoch {best.Epoch})"));
            return 0;
        }));
        return command;
    }
}
