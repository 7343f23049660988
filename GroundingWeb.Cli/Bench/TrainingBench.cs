using GroundingWeb.Authoring.Onnx;
using GroundingWeb.Cli.Training;
using static TorchSharp.torch;

namespace GroundingWeb.Cli.Bench;

internal sealed record TrainingBenchResult(FusionHeadConfig Head, long Parameters, int Batch, int TextTokens, int Threads, BenchTiming Step, double StepsPerSecond);

/// <summary>
/// <c>train</c>'s optimisation step (<see cref="Trainer.Step"/>: batch assembly from float16 features,
/// forward, DIoU loss, backward, AdamW) timed on random features of the bundle's shapes. Validation and
/// checkpoint writing, which <c>train</c> adds once per epoch, are left out.
/// </summary>
internal static class TrainingBench
{
    public static TrainingBenchResult Run(FusionHeadConfig head, int imageTokens, int textTokens, int batch, int threads, int steps)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(steps, 1, "--train-steps");
        var options = new TrainingOptions { BatchSize = batch, Threads = threads };
        options.Validate();
        TorchRuntime.EnsureLoaded();
        set_num_threads(threads);
        manual_seed(1);
        var random = new Random(1);
        Half[] Features(int count) => Enumerable.Range(0, count).Select(_ => (Half)(random.NextSingle() * 2 - 1)).ToArray();
        var boxes = Enumerable.Range(0, batch).Select(_ =>
        {
            float x = random.NextSingle() * 0.5f, y = random.NextSingle() * 0.5f;
            return new[] { x, y, x + 0.25f + random.NextSingle() * 0.25f, y + 0.25f + random.NextSingle() * 0.25f };
        }).ToList();
        using var data = new FeatureDataset(imageTokens, head.ImageDim, head.TextDim,
            Enumerable.Range(0, batch).Select(_ => Features(imageTokens * head.ImageDim)).ToList(),
            Enumerable.Range(0, batch).Select(_ => Features(textTokens * head.TextDim)).ToList(),
            Enumerable.Range(0, batch).ToList(), boxes);

        var trainer = new Trainer(head, options, TextWriter.Null, new TrainingProgress(TextWriter.Null, interactive: false));
        using var model = new FusionHeadModule(head, options.Dropout);
        model.train();
        using var optimizer = trainer.CreateOptimizer(model);
        var order = Enumerable.Range(0, batch).ToArray();
        var samples = BenchTiming.Sample(steps, () =>
        {
            using var scope = NewDisposeScope();
            using var features = data.MakeBatch(order, CPU);
            return trainer.Step(model, optimizer, features, options.LearningRate);
        }, warmUp: 2);
        var timing = BenchTiming.Of(samples.Select(s => s.Ms));
        return new TrainingBenchResult(head, head.ParameterCount, batch, textTokens, threads, timing, Math.Round(1000 / timing.MedianMs, 3));
    }
}
