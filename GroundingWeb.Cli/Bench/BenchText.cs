namespace GroundingWeb.Cli.Bench;

/// <summary>The text form of a <see cref="BenchReport"/>: a table per section, ratios last.</summary>
internal static class BenchText
{
    public static void Print(TextWriter output, BenchReport report, IReadOnlyList<BenchStage> stages)
    {
        output.WriteLine($"bench: {report.Bundle} on {report.Provider}, image {report.ImageWidth}x{report.ImageHeight} ({report.ImageBytes / 1024} KiB), " +
                         $"prompt of {report.PromptTokens} tokens, {report.Iterations} iterations, {report.Cores} cores");
        foreach (var stage in stages)
        {
            output.WriteLine($"  {stage.Label,-46} {stage.Timing}");
        }
        if (report.Throughput is { } t)
        {
            output.WriteLine($"throughput: {t.Images} RefShapes images ({t.Samples} expressions), {t.Runs} run(s), each image seen for the first time");
            output.WriteLine($"  {"evaluate",-46} median {t.Evaluate.MedianImagesPerSecond,7:F2} images/s  best {t.Evaluate.BestImagesPerSecond,7:F2}");
            output.WriteLine($"  {"features",-46} median {t.Features.MedianImagesPerSecond,7:F2} images/s  best {t.Features.BestImagesPerSecond,7:F2}");
        }
        if (report.Training is { } train)
        {
            output.WriteLine($"training step: head {train.Head.ToJson()} ({train.Parameters:N0} parameters), batch {train.Batch}, " +
                             $"{train.TextTokens} text tokens, {train.Threads} thread(s)");
            output.WriteLine($"  {"step",-46} {train.Step}  = {train.StepsPerSecond:F2} steps/s");
        }
        if (report.PyTorch is { } peer)
        {
            output.WriteLine($"PyTorch {peer["torch"]} eager, {peer["threads"]} thread(s), BLAS {peer["blas"]}:");
            output.WriteLine($"  {"ours",-40} {"median ms",10} {"PyTorch",-22} {"median ms",10} {"ours/PyTorch",12}");
            foreach (var ratio in report.Ratios?.Values.AsEnumerable() ?? [])
            {
                output.WriteLine($"  {ratio.Ours,-40} {ratio.OursMedianMs,10:F2} {ratio.PyTorch,-22} {ratio.PyTorchMedianMs,10:F2} {ratio.Ratio,12:F2}");
            }
        }
        foreach (var note in report.Notes)
        {
            output.WriteLine($"note: {note}");
        }
    }
}
