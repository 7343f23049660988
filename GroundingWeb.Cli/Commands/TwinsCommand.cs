using System.CommandLine;
using System.Diagnostics;
using GroundingWeb.Authoring.Twins;

namespace GroundingWeb.Cli.Commands;

/// <summary>
/// <c>grounding twins</c>: random-weight stand-ins for the DINOv3 and BGE ONNX exports, laid out as
/// their repositories are, so that bundle assembly, serving, training and benchmarks can be tried
/// and timed at the reference model's size without downloading it.
/// </summary>
internal static class TwinsCommand
{
    public static Command Create()
    {
        var output = new Option<string>("--out") { Description = "Folder to write the two export folders into.", Required = true };
        var seed = new Option<ulong>("--seed") { Description = "Seed of the random weights (the same seed writes the same files).", DefaultValueFactory = _ => 1UL };
        var force = new Option<bool>("--force") { Description = "Replace export folders that already exist." };
        var command = new Command("twins", "Write random-weight twins of the DINOv3 ViT-B/16 and BGE-small ONNX exports (same interfaces and cost, about 480 MB).")
        {
            output, seed, force,
        };
        command.SetAction(parse => CliErrors.Run(() =>
        {
            var clock = Stopwatch.StartNew();
            var files = ReferenceTwins.Write(parse.GetValue(output)!, parse.GetValue(seed), parse.GetValue(force));
            Console.WriteLine($"wrote {files.VisionFolder}: onnx/model.onnx + onnx/model.onnx_data, {files.VisionParameters:N0} parameters (DINOv3 ViT-B/16 twin, random weights)");
            Console.WriteLine($"wrote {files.TextFolder}: onnx/model.onnx + vocab.txt, {files.TextParameters:N0} parameters (BGE-small twin, random weights)");
            Console.WriteLine($"in {clock.Elapsed.TotalSeconds:F1} s");
            return 0;
        }));
        return command;
    }
}
