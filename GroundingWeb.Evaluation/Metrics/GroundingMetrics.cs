namespace GroundingWeb.Evaluation.Metrics;

/// <summary>
/// Metrics over per-sample IoUs (one prediction and one ground-truth box per sample).
/// An empty input gives 0 for every metric; a NaN IoU is rejected with <see cref="ArgumentException"/>.
/// </summary>
public static class GroundingMetrics
{
    /// <summary>Arithmetic mean of the IoUs, accumulated in double; 0 when empty.</summary>
    public static double MeanIou(ReadOnlySpan<float> ious)
    {
        if (ious.IsEmpty)
        {
            return 0d;
        }

        var sum = 0d;
        for (var i = 0; i < ious.Length; i++)
        {
            sum += Checked(ious, i);
        }

        return sum / ious.Length;
    }

    /// <summary>Share of samples whose IoU is at least <paramref name="threshold"/>; 0 when empty.</summary>
    public static double AccuracyAt(ReadOnlySpan<float> ious, float threshold)
    {
        if (float.IsNaN(threshold))
        {
            throw new ArgumentOutOfRangeException(nameof(threshold), threshold, "The IoU threshold must be a number, e.g. 0.5.");
        }

        if (ious.IsEmpty)
        {
            return 0d;
        }

        var hits = 0;
        for (var i = 0; i < ious.Length; i++)
        {
            if (Checked(ious, i) >= threshold)
            {
                hits++;
            }
        }

        return (double)hits / ious.Length;
    }

    /// <summary>Mean IoU, Acc@0.5, Acc@0.75 and COCO-style AP@50/AP@75 in one summary.</summary>
    public static MetricSummary Summarize(ReadOnlySpan<float> ious) => new()
    {
        Count = ious.Length,
        MeanIou = MeanIou(ious),
        AccuracyAt50 = AccuracyAt(ious, 0.5f),
        AccuracyAt75 = AccuracyAt(ious, 0.75f),
        CocoAp50 = CocoStyleAp.Compute(ious, 0.5f),
        CocoAp75 = CocoStyleAp.Compute(ious, 0.75f),
    };

    internal static float Checked(ReadOnlySpan<float> ious, int index)
    {
        var iou = ious[index];
        if (float.IsNaN(iou))
        {
            throw new ArgumentException($"ious[{index}] is NaN; compute IoUs with BoxMath.Iou, which never returns NaN.", nameof(ious));
        }

        return iou;
    }
}
