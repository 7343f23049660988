using System.CommandLine;
using System.Diagnostics;
using System.Text.Json;
using GroundingWeb.Authoring.Demo;
using GroundingWeb.Cli.Bundles;
using GroundingWeb.Inference.Imaging;
using GroundingWeb.Inference.Pipeline;
using GroundingWeb.Inference.Runtime;

namespace GroundingWeb.Cli.Commands;

/// <summary><c>grounding quantize</c>: a bundle whose vision or text encoder runs int8, and how far it is from float32.</summary>
internal static class QuantizeCommand
{
    private static readonly string[] ProbePrompts =
    [
        "the cat on the left", "a small red square", "man in red on the left", "the biggest blue circle below the triangle",
        "green", "the object in the middle", "second dog from the right", "the cup next to the laptop",
    ];

    public static Command Create()
    {
        var bundle = new Option<string>("--bundle") { DefaultValueFactory = _ => "models/demo", Description = "Bundle to start from." };
        var encoder = new Option<string>("--encoder") { Required = true, Description = "Which encoder to quantize: vision or text." };
        var output = new Option<string>("--out") { Required = true, Description = "Folder of the new bundle." };
        var name = new Option<string?>("--name") { Description = "Name of the new bundle (default: the old name + '-int8')." };
        var image = new Option<string>("--image") { DefaultValueFactory = _ => "samples/chelsea.png", Description = "Image the comparison runs the vision encoder on." };
        var runs = new Option<int>("--runs") { DefaultValueFactory = _ => 20, Description = "Timed runs of each encoder for the latency ratio." };
        var json = new Option<bool>("--json") { Description = "Print one JSON document on standard output." };
        var command = new Command("quantize", "Write a copy of a bundle with its vision or text encoder dynamically quantized to int8, and compare it with float32 (cosine similarity of the output tokens, latency).")
        {
            bundle, encoder, output, name, image, runs, json,
        };
        command.SetAction(parse => CliErrors.Run(() =>
        {
            var which = parse.GetValue(encoder)!;
            if (parse.GetValue(runs) < 1) throw new ArgumentException("--runs must be at least 1.");
            var imageBytes = which == "vision" ? CliErrors.ReadInputFile(parse.GetValue(image)!, "Image") : null;
            var log = parse.GetValue(json) ? Console.Error : Console.Out;
            var (manifest, summary) = BundleQuantizer.Quantize(parse.GetValue(bundle)!, which, parse.GetValue(output)!, parse.GetValue(name));
            log.WriteLine($"quantize: wrote {parse.GetValue(output)} ({manifest.Name}): {summary.QuantizedMatMuls} MatMul weights int8, {summary.KeptMatMuls} MatMuls kept float32, " +
                          $"weights {summary.WeightBytesBefore / 1e6:F1} MB -> {summary.WeightBytesAfter / 1e6:F1} MB; comparing with float32...");
            var comparison = Compare(parse.GetValue(bundle)!, parse.GetValue(output)!, which, imageBytes, parse.GetValue(runs));
            if (parse.GetValue(json))
            {
                Console.WriteLine(JsonSerializer.Serialize(new { bundle = parse.GetValue(output), name = manifest.Name, encoder = which, summary, comparison }, Shared.GroundingJson.Indented));
            }
            else
            {
                Console.WriteLine($"  cosine similarity of the {comparison.Tokens} output tokens to float32: mean {comparison.MeanCosine:F5}, min {comparison.MinCosine:F5}");
                Console.WriteLine($"  {which} encoder median: float32 {comparison.Float32MedianMs:F2} ms, int8 {comparison.Int8MedianMs:F2} ms = {comparison.LatencyRatio:F2}x ({comparison.Runs} runs each)");
            }
            return 0;
        }));
        return command;
    }

    /// <param name="LatencyRatio">int8 median / float32 median (below 1: int8 is faster).</param>
    internal sealed record Comparison(int Tokens, double MeanCosine, double MinCosine, int Runs, double Float32MedianMs, double Int8MedianMs, double LatencyRatio);

    private static Comparison Compare(string floatBundle, string int8Bundle, string encoder, byte[]? image, int runs)
    {
        var options = new InferenceOptions { ExecutionProvider = ExecutionProviderPreference.Cpu, WarmUp = false };
        using var baseline = GroundingPipeline.Open(floatBundle, options, preparers: [new DemoEncoders()]);
        using var quantized = GroundingPipeline.Open(int8Bundle, options, preparers: [new DemoEncoders()]);
        var decoded = image is null ? null : ImageDecoder.Decode(image, baseline.ImageLimits);
        (float[] Tokens, int Width, int[] Rows) Encode(GroundingPipeline pipeline)
        {
            if (decoded is not null)
            {
                var t = pipeline.EncodeImage(decoded);
                return (t.Tokens, t.Width, Enumerable.Range(0, t.Count).ToArray());
            }
            var text = pipeline.EncodeText(ProbePrompts);
            // Only real tokens are compared; padding rows carry nothing.
            var rows = Enumerable.Range(0, text.Count).SelectMany(i => Enumerable.Range(i * text.SequenceLength, text.Lengths[i])).ToArray();
            return (text.Tokens, text.Width, rows);
        }
        var expected = Encode(baseline);
        var actual = Encode(quantized);
        var cosines = expected.Rows.Select(r => Cosine(expected.Tokens.AsSpan(r * expected.Width, expected.Width), actual.Tokens.AsSpan(r * actual.Width, actual.Width))).ToArray();
        // Interleaved, so that the machine's noise falls on both alike.
        var floatMs = new List<double>();
        var int8Ms = new List<double>();
        for (var i = 0; i < runs; i++)
        {
            floatMs.Add(Time(() => Encode(baseline)));
            int8Ms.Add(Time(() => Encode(quantized)));
        }
        var f = Median(floatMs);
        var q = Median(int8Ms);
        return new Comparison(cosines.Length, Math.Round(cosines.Average(), 6), Math.Round(cosines.Min(), 6), runs, Math.Round(f, 2), Math.Round(q, 2), Math.Round(q / f, 3));
    }

    private static double Cosine(ReadOnlySpan<float> a, ReadOnlySpan<float> b)
    {
        double dot = 0, na = 0, nb = 0;
        for (var i = 0; i < a.Length; i++)
        {
            dot += a[i] * b[i];
            na += a[i] * a[i];
            nb += b[i] * b[i];
        }
        return na == 0 || nb == 0 ? (na == nb ? 1 : 0) : dot / Math.Sqrt(na * nb);
    }

    private static double Time(Action action)
    {
        var clock = Stopwatch.StartNew();
        action();
        return clock.Elapsed.TotalMilliseconds;
    }

    private static double Median(List<double> values)
    {
        values.Sort();
        return values[values.Count / 2];
    }
}
