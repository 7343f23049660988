namespace GroundingWeb.Cli.Bench;

/// <summary>The text form of a <see cref="BenchReport"/>: a table per section, ratios last.</summary>
internal static class BenchText
{
    public static void Print(TextWriter output, BenchReport report, IReadOnlyList<BenchStage> stages)
    {
        output.WriteLine($"bench: {report.Bundle} on {report.Provider}, image {report.ImageWidth}x{report.ImageHeight} ({report.ImageBytes / 1024} KiB), " +
                         $"prompt of {report.PromptTokens} tokens, {report.Iterations} iterations, {report.Cores} cores");
        output.WriteLine($"  ONNX Runtime threads: {report.ThreadPool}");
        output.WriteLine($"  fusion head: {report.FusionForm}");
        foreach (var stage in stages)
        {
            output.WriteLine($"  {stage.Label,-46} {stage.Timing}");
        }
        output.WriteLine($"  first prompt on a new image / a prompt on a cached image: {report.Scaling.FirstOverCached:F1}x; 8 prompts / 1 prompt on a cached image: {report.Scaling.EightOverOne:F2}x, fusion head alone {report.Scaling.EightOverOneFusion:F2}x (medians)");
        var h = report.Hardware;
        output.WriteLine($"hardware: fp32 GEMM peak {h.GemmPeak.BestGflops:F1} GFLOPS (best of {h.GemmPeak.Runs} MatMuls {h.GemmPeak.Size}^3, {h.GemmPeak.Threads} thread(s); median {h.GemmPeak.MedianGflops:F1})");
        output.WriteLine($"  vision encoder: {h.Vision.Gflop:F2} GFLOP per image ({string.Join(", ", h.Vision.CountedOperators.Select(o => $"{o.Value} {o.Key}"))}), " +
                         $"{h.VisionGflopsAtMedian:F1} GFLOPS at the median = {h.VisionShareOfPeakAtMedian:P0} of peak ({h.VisionShareOfPeakAtBest:P0} at the best run)");
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
