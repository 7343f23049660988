using GroundingWeb.Evaluation.Datasets;
using GroundingWeb.Inference.Geometry;
using GroundingWeb.Evaluation.Metrics;

namespace GroundingWeb.Evaluation;

/// <summary>The model's answer to one sample and how well it overlaps the ground truth.</summary>
public sealed record SampleResult
{
    public required GroundingSample Sample { get; init; }
    public required Box Predicted { get; init; }

    /// <summary>IoU with the ground truth; 0 for a no-target sample (never part of the box metrics).</summary>
    public required float Iou { get; init; }

    /// <summary>The model's presence probability, for a bundle with a presence output.</summary>
    public double? Presence { get; init; }

    /// <summary>Whether the model said "found" (always true for a bundle without presence: it always draws a box).</summary>
    public bool Found { get; init; } = true;
}

/// <summary>Metrics of one group of samples (a box-size bucket, a length bucket, a category...).</summary>
public sealed record BreakdownRow(string Group, int Count, double MeanIou, double AccuracyAt50, double AccuracyAt75);

public sealed record EvaluationProgress(int SamplesDone, int SamplesTotal, int ImagesDone, int ImagesTotal, TimeSpan Elapsed);

public sealed record EvaluationReport
{
    public required IReadOnlyList<SampleResult> Results { get; init; }

    /// <summary>Box metrics over the samples that have a target (no-target samples have no box to hit).</summary>
    public required MetricSummary Summary { get; init; }

    /// <summary>"Not in this image" metrics; null when the samples hold no no-target sample and the bundle gives no presence.</summary>
    public PresenceSummary? Presence { get; init; }
    public required IReadOnlyList<BreakdownRow> ByBoxSize { get; init; }
    public required IReadOnlyList<BreakdownRow> ByExpressionLength { get; init; }
    public required IReadOnlyList<BreakdownRow> ByCategory { get; init; }
    public required IReadOnlyList<BreakdownRow> ByKind { get; init; }

    /// <summary>Samples that could not be run (unreadable image, refused expression), with the reason.</summary>
    public required IReadOnlyList<SkippedRow> Failed { get; init; }

    public required TimeSpan Elapsed { get; init; }
}
