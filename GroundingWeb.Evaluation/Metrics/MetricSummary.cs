namespace GroundingWeb.Evaluation.Metrics;

/// <summary>
/// Grounding metrics over one set of samples. Acc@t is the standard RefCOCO number; the COCO AP
/// values reproduce the reference's "mAP@50/75" (see <see cref="CocoStyleAp"/>) for comparison only.
/// All values are 0 when <see cref="Count"/> is 0.
/// </summary>
public sealed record MetricSummary
{
    public required int Count { get; init; }

    public required double MeanIou { get; init; }

    /// <summary>Share of samples with IoU &gt;= 0.5.</summary>
    public required double AccuracyAt50 { get; init; }

    /// <summary>Share of samples with IoU &gt;= 0.75.</summary>
    public required double AccuracyAt75 { get; init; }

    /// <summary>COCO-style AP at IoU 0.5, as the reference computes it.</summary>
    public required double CocoAp50 { get; init; }

    /// <summary>COCO-style AP at IoU 0.75, as the reference computes it.</summary>
    public required double CocoAp75 { get; init; }
}
