using System.CommandLine;
using System.Diagnostics;
using GroundingWeb.Evaluation.RefShapes;

namespace GroundingWeb.Cli.Commands;

/// <summary><c>grounding synth</c>: generates the RefShapes dataset (DESIGN.md section 8).</summary>
internal static class SynthCommand
{
    public static Command Create()
    {
        var output = new Option<string>("--out") { Description = "Output folder (must be empty or missing unless --force).", DefaultValueFactory = _ => "data/refshapes" };
        var seed = new Option<int>("--seed") { Description = "Seed; the same seed always gives the same dataset.", DefaultValueFactory = _ => 1 };
        var images = new Option<int>("--images") { Description = "Number of images over all splits.", Required = true };
        var val = new Option<double>("--val-fraction") { Description = "Share of the images for val (all kinds).", DefaultValueFactory = _ => 0.1 };
        var testA = new Option<double>("--testa-fraction") { Description = "Share of the images for testA (attribute expressions).", DefaultValueFactory = _ => 0.1 };
        var testB = new Option<double>("--testb-fraction") { Description = "Share of the images for testB (position, relation, ordinal, superlative).", DefaultValueFactory = _ => 0.1 };
        var negatives = new Option<int>("--negatives")
        {
            Description = "Expressions per image that refer to nothing in it (written with a null box), 0 to 3; 0 gives generator 1.0's images and JSON Lines.",
            DefaultValueFactory = _ => 1,
        };
        var force = new Option<bool>("--force") { Description = "Overwrite a previous dataset in the output folder." };
        var command = new Command("synth", "Generate RefShapes, a synthetic referring-expression dataset, as JSON Lines and PNGs.")
        {
            output, seed, images, val, testA, testB, negatives, force,
        };
        command.SetAction((parse, cancellationToken) => Task.FromResult(CliErrors.Run(() => Execute(
            parse.GetValue(output)!, new RefShapesOptions(parse.GetValue(seed), parse.GetValue(images), parse.GetValue(val), parse.GetValue(testA), parse.GetValue(testB), parse.GetValue(negatives)),
            parse.GetValue(force), cancellationToken))));
        return command;
    }

    private static int Execute(string folder, RefShapesOptions options, bool force, CancellationToken cancellationToken)
    {
        options.Validate();
        var stopwatch = Stopwatch.StartNew();
        var step = Math.Max(1, options.Images / 10);
        var gate = new object();
        Console.WriteLine($"generating {options.Images} images (seed {options.Seed}) into {folder}");
        var summary = RefShapesWriter.Write(folder, options, force, done =>
        {
            if (done % step == 0 || done == options.Images)
            {
                lock (gate)
                {
                    Console.WriteLine($"  {done}/{options.Images} images, {stopwatch.Elapsed.TotalSeconds:F1} s");
                }
            }
        }, cancellationToken);
        Console.WriteLine($"{summary.Images} images, {summary.Samples} expressions in {stopwatch.Elapsed.TotalSeconds:F1} s");
        foreach (var (split, s) in summary.Splits)
        {
            var kinds = string.Join(", ", s.Kinds.Where(k => k.Value > 0).Select(k => $"{k.Key} {k.Value}"));
            Console.WriteLine($"  {split,-6} {s.Images,6} images {s.Samples,7} expressions ({kinds})");
        }
        return 0;
    }
}
