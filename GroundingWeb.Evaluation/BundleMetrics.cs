using GroundingWeb.Evaluation.Metrics;
using GroundingWeb.Inference.Bundles;

namespace GroundingWeb.Evaluation;

/// <summary>Evaluation results recorded in a bundle's provenance.</summary>
public static class BundleMetrics
{
    /// <summary>
    /// Records evaluation metrics per split (e.g. "val", "testA") in <c>bundle.json</c>, replacing
    /// earlier numbers for the same splits and keeping everything else.
    /// </summary>
    public static BundleManifest RecordMetrics(string bundleDirectory, IReadOnlyDictionary<string, SplitMetrics> metrics)
    {
        ArgumentNullException.ThrowIfNull(metrics);
        var manifest = BundleManifest.Read(bundleDirectory);
        var merged = new Dictionary<string, SplitMetrics>(manifest.Provenance?.Metrics ?? []);
        foreach (var (split, value) in metrics)
        {
            merged[split] = value;
        }
        var updated = manifest with { Provenance = (manifest.Provenance ?? new Provenance()) with { Metrics = merged } };
        BundleManifest.Write(bundleDirectory, updated);
        return updated;
    }

    /// <summary>A split's summary as the manifest stores it (rounded to 4 decimals).</summary>
    public static SplitMetrics ToSplitMetrics(MetricSummary summary, PresenceSummary? presence = null) => new()
    {
        NoTargetCount = presence?.Negatives,
        NoTargetAccuracy = presence?.NoTargetAccuracy is { } n ? Math.Round(n, 4) : null,
        TargetAccuracy = presence?.TargetAccuracy is { } t ? Math.Round(t, 4) : null,
        PresenceAuroc = presence?.Auroc is { } a ? Math.Round(a, 4) : null,
        Count = summary.Count,
        MeanIou = Math.Round(summary.MeanIou, 4),
        AccuracyAt50 = Math.Round(summary.AccuracyAt50, 4),
        AccuracyAt75 = Math.Round(summary.AccuracyAt75, 4),
        CocoAp50 = Math.Round(summary.CocoAp50, 4),
        CocoAp75 = Math.Round(summary.CocoAp75, 4),
    };
}
