using GroundingWeb.Inference.Imaging;
using GroundingWeb.Inference.Pipeline;

namespace GroundingWeb.Cli.Bench;

/// <summary>One timed stage: a key for the JSON document, a label for people.</summary>
internal sealed record BenchStage(string Key, string Label, BenchTiming Timing);

internal sealed record PipelineBenchResult(IReadOnlyList<BenchStage> Stages, int BatchPrompts, int TextTokens);

/// <summary>
/// The serving path on one image, stage by stage, as the pipeline itself times its stages: the first
/// prompt on an image pays for decoding and the vision encoder, a repeated one (cached image) for text
/// and fusion only, and a batch of prompts shows what the fusion head costs per batch.
/// </summary>
internal static class PipelineBench
{
    public const int BatchPrompts = 16;

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

        cached.Ground(image, [prompt]);
        var repeated = BenchTiming.Sample(iterations, () => cached.Ground(image, [prompt]));
        Add("tokenize", "tokenise (per prompt)", repeated.Select(s => s.Result.Timings.TokenizeMs));
        Add("cachedPrompt", "end-to-end, repeated prompt (cached image)", repeated.Select(s => s.Ms));
        Add("textAndFusion", "  of which text + fusion", repeated.Select(s => s.Result.Timings.TextMs + s.Result.Timings.FusionMs));
        Add("fusion", "  of which fusion (batch 1)", repeated.Select(s => s.Result.Timings.FusionMs));

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
