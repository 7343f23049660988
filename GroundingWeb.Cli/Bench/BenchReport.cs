using System.Text.Json.Nodes;

namespace GroundingWeb.Cli.Bench;

/// <summary>Ours against the peer on the same work: the ratio of medians (below 1: we are faster).</summary>
internal sealed record BenchRatio(string Ours, double OursMedianMs, string PyTorch, double PyTorchMedianMs, double Ratio);

/// <summary>
/// The vision encoder against the hardware: its counted work, its rate at the median time inside the
/// pipeline, and that rate as a share of the GEMM peak (at the median and at the best run).
/// </summary>
internal sealed record HardwareShare(GemmPeak GemmPeak, ModelWork Vision, double VisionGflopsAtMedian, double VisionShareOfPeakAtMedian, double VisionShareOfPeakAtBest);

/// <summary>What <c>grounding bench</c> measured: the document printed with --json, and the source of its text report.</summary>
internal sealed record BenchReport
{
    public required string Bundle { get; init; }
    public required string Provider { get; init; }

    /// <summary>The ONNX Runtime threads the sessions ran on, in words.</summary>
    public required string ThreadPool { get; init; }

    public required HardwareShare Hardware { get; init; }
    public required int Cores { get; init; }
    public required int ImageWidth { get; init; }
    public required int ImageHeight { get; init; }
    public required int ImageBytes { get; init; }
    public required int Iterations { get; init; }
    public required int PromptTokens { get; init; }
    public required int BatchPrompts { get; init; }

    /// <summary>How the fusion head runs ("whole graph" or "split: ..."), and what the cache keeps per image.</summary>
    public required string FusionForm { get; init; }

    public required PromptScaling Scaling { get; init; }

    /// <summary>By key, in the order they were timed.</summary>
    public required Dictionary<string, BenchTiming> Stages { get; init; }

    public ThroughputResult? Throughput { get; init; }
    public TrainingBenchResult? Training { get; init; }

    /// <summary>The peer's own document (versions, BLAS, threads, timings), as it printed it.</summary>
    public JsonObject? PyTorch { get; init; }

    public Dictionary<string, BenchRatio>? Ratios { get; init; }

    /// <summary>What was not measured, and why.</summary>
    public required List<string> Notes { get; init; }
}
