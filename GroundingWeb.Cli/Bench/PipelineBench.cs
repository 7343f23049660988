using GroundingWeb.Inference.Imaging;
using GroundingWeb.Inference.Pipeline;

namespace GroundingWeb.Cli.Bench;

/// <summary>One timed stage: a key for the JSON document, a label for people.</summary>
internal sealed record BenchStage(string Key, string Label, BenchTiming Timing);

internal sealed record PipelineBenchResult(IReadOnlyList<BenchStage> Stages, int BatchPrompts, int TextTokens)
{
    public BenchTiming this[string key] => Stages.First(s => s.Key == key).Timing;

    /// <summary>What caching an image buys (ratios of medians): the first prompt on a new image over another on a cached one, and 8 prompts over 1.</summary>
    public PromptScaling Scaling => new(
        Math.Round(this["firstPrompt"].MedianMs / this["cachedPrompt"].MedianMs, 2),
        Math.Round(this["eightPrompts"].MedianMs / this["cachedPrompt"].MedianMs, 2),
        Math.Round(this["eightFusion"].MedianMs / this["fusion"].MedianMs, 2));
}

/// <param name="FirstOverCached">First prompt on a new image / a prompt on a cached image (higher: the cache saves more).</param>
/// <param name="EightOverOne">8 prompts on a cached image / 1 prompt, end to end (8 would mean no sharing at all).</param>
/// <param name="EightOverOneFusion">The same for the fusion head alone.</param>
internal sealed record PromptScaling(double FirstOverCached, double EightOverOne, double EightOverOneFusion);

/// <summary>
/// The serving path on one image, stage by stage, as the pipeline itself times its stages: the first
/// prompt on an image pays for decoding and the vision encoder, a repeated one (cached image) for text
/// and fusion only, and a batch of prompts shows what the fusion head costs per batch.
/// </summary>
internal static class PipelineBench
{
    public const int BatchPrompts = 16;
    public const int EightPrompts = 8;

    /// <param name="cached">Serves repeated prompts from its image-token cache.</param>
    /// <param name="uncached">The same sessions with a cache that never hits: every call encodes the image.</param>
    public static PipelineBenchResult Run(GroundingPipeline cached, GroundingPipeline uncached, byte[] image, string prompt, int iterations)
    {
        var stages = new List<BenchStage>();
        void Add(string key, string label, IEnumerable<double> ms) => stages.Add(new BenchStage(key, label, BenchTiming.Of(ms)));

        Add("decode", "decode", BenchTiming.Sample(iterations, () => ImageDecoder.Decode(image, cached.ImageLimits)).Select(s => s.Ms));
        var first = BenchTiming.Sample(iterations, () => uncached.Ground(image, [prompt]));
        Add("decodeResizeNormalise", "decode + resize + normalise", first.Select(s => s.Result.Timings.DecodeMs + s.Result.Timings.PreprocessMs));
        Add("firstPrompt", "end-to-end, first prompt on an image", first.Select(s => s.Ms));
        Add("vision", "  of which vision encoder", first.Select(s => s.Result.Timings.VisionMs));
        Add("imageFusion", "  of which fusion image side (once per image)", first.Select(s => s.Result.Timings.ImageFusionMs));

        cached.Ground(image, [prompt]);
        var repeated = BenchTiming.Sample(iterations, () => cached.Ground(image, [prompt]));
        Add("tokenize", "tokenise (per prompt)", repeated.Select(s => s.Result.Timings.TokenizeMs));
        Add("cachedPrompt", "end-to-end, repeated prompt (cached image)", repeated.Select(s => s.Ms));
        Add("textAndFusion", "  of which text + fusion", repeated.Select(s => s.Result.Timings.TextMs + s.Result.Timings.FusionMs));
        Add("fusion", "  of which fusion (batch 1)", repeated.Select(s => s.Result.Timings.FusionMs));

        var eight = Enumerable.Repeat(prompt, Math.Min(EightPrompts, cached.MaxPromptsPerImage)).ToArray();
        var eightRuns = BenchTiming.Sample(iterations, () => cached.Ground(image, eight));
        Add("eightPrompts", $"{eight.Length} prompts on a cached image", eightRuns.Select(s => s.Ms));
        Add("eightText", "  of which text encoder", eightRuns.Select(s => s.Result.Timings.TextMs));
        Add("eightFusion", $"  of which fusion (batch {eight.Length})", eightRuns.Select(s => s.Result.Timings.FusionMs));

        // The same prompt repeated: every row has the same token count, as the PyTorch peer's batch does.
        var batchSize = Math.Min(BatchPrompts, cached.MaxPromptsPerImage);
        var prompts = Enumerable.Repeat(prompt, batchSize).ToArray();
        var batch = BenchTiming.Sample(iterations, () => cached.Ground(image, prompts));
        Add("batch", $"{batchSize} prompts on a cached image", batch.Select(s => s.Ms));
        Add("batchText", "  of which text encoder", batch.Select(s => s.Result.Timings.TextMs));
        Add("batchFusion", $"  of which fusion (batch {batchSize})", batch.Select(s => s.Result.Timings.FusionMs));
        return new PipelineBenchResult(stages, batchSize, cached.EncodeText([prompt]).SequenceLength);
    }
}
