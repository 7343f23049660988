using System.CommandLine;
using System.Diagnostics;
using GroundingWeb.Inference.Imaging;
using GroundingWeb.Inference.Pipeline;
using GroundingWeb.Inference.Runtime;

namespace GroundingWeb.Cli.Commands;

/// <summary>
/// <c>grounding bench</c>: a timed run of each stage on a real image, reporting mean, median and p95.
/// The first prompt on an image pays for decoding and the vision encoder; a repeated one does not.
/// </summary>
internal static class BenchCommand
{
    public static Command Create()
    {
        var bundle = new Option<string>("--bundle") { DefaultValueFactory = _ => "models/demo", Description = "Bundle folder." };
        var image = new Option<string>("--image") { Required = true, Description = "Image to time on." };
        var prompt = new Option<string>("--prompt") { DefaultValueFactory = _ => "the cat on the left", Description = "Prompt to time with." };
        var iterations = new Option<int>("--iterations") { DefaultValueFactory = _ => 30, Description = "Timed runs per stage (after 3 warm-up runs)." };
        var provider = new Option<ExecutionProviderPreference>("--provider") { DefaultValueFactory = _ => ExecutionProviderPreference.Auto };
        var command = new Command("bench", "Time each pipeline stage.") { bundle, image, prompt, iterations, provider };
        command.SetAction(parse => CliErrors.Run(() => Execute(
            parse.GetValue(bundle)!, parse.GetValue(image)!, parse.GetValue(prompt)!, parse.GetValue(iterations), parse.GetValue(provider))));
        return command;
    }

    private static int Execute(string bundlePath, string imagePath, string prompt, int iterations, ExecutionProviderPreference provider)
    {
        if (iterations < 1) throw new ArgumentException("--iterations must be at least 1.");
        var bytes = CliErrors.ReadInputFile(imagePath, "Image");
        using var cached = CliEngine.Open(bundlePath, provider, verbose: false);
        // The same sessions with a cache of size 0, which never hits: every call is a first prompt on a new image.
        using var uncached = cached.ShareSessions(imageTokenCacheBytes: 0);
        var decoded = ImageDecoder.Decode(bytes, cached.ImageLimits);

        Console.WriteLine($"bench: {cached.Manifest.Name} on {cached.Provider}, image {decoded.Width}x{decoded.Height} ({bytes.Length / 1024} KiB), " +
                          $"{iterations} iterations, {Environment.ProcessorCount} cores");
        Report("decode", Time(iterations, () => ImageDecoder.Decode(bytes, cached.ImageLimits)));
        var firstPrompt = Time(iterations, () => uncached.Ground(bytes, [prompt]));
        // Stages as the pipeline itself times them inside the calls above and below.
        Report("decode + resize + normalise", firstPrompt.Select(s => (s.Result.Timings.DecodeMs + s.Result.Timings.PreprocessMs, s.Result)).ToList());
        Report("end-to-end, first prompt on an image", firstPrompt, r => r.Timings.VisionMs, "vision encoder");
        cached.Ground(bytes, [prompt]);
        var repeated = Time(iterations, () => cached.Ground(bytes, [prompt]));
        Report("tokenise (per prompt)", repeated.Select(s => (s.Result.Timings.TokenizeMs, s.Result)).ToList());
        Report("end-to-end, repeated prompt (cached image)", repeated, r => r.Timings.TextMs + r.Timings.FusionMs, "text + fusion");
        return 0;
    }

    private static List<(double Ms, T Result)> Time<T>(int iterations, Func<T> action)
    {
        for (var i = 0; i < 3; i++) action();
        var samples = new List<(double, T)>(iterations);
        for (var i = 0; i < iterations; i++)
        {
            var clock = Stopwatch.StartNew();
            var result = action();
            samples.Add((clock.Elapsed.TotalMilliseconds, result));
        }
        return samples;
    }

    private static void Report<T>(string name, List<(double Ms, T Result)> samples, Func<T, double>? stage = null, string? stageName = null)
    {
        Console.WriteLine($"  {name,-44} {Summary(samples.Select(s => s.Ms).ToList())}");
        if (stage is not null)
        {
            Console.WriteLine($"    of which {stageName,-35} {Summary(samples.Select(s => stage(s.Result)).ToList())}");
        }
    }

    private static string Summary(List<double> ms)
    {
        ms.Sort();
        double Percentile(double q) => ms[Math.Min(ms.Count - 1, (int)Math.Ceiling(q * ms.Count) - 1)];
        return $"mean {ms.Average(),9:F3} ms  median {Percentile(0.5),9:F3} ms  p95 {Percentile(0.95),9:F3} ms";
    }
}
