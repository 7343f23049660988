using GroundingWeb.Inference.Metrics;

namespace GroundingWeb.Inference.Bundles;

/// <summary>Writes a split's measured metrics into a bundle's provenance, keeping everything else.</summary>
public static class BundleMetricsRecorder
{
    public static void Record(string bundleDirectory, string split, MetricSummary summary)
    {
        var manifest = BundleManifestReader.Read(bundleDirectory);
        var provenance = manifest.Provenance ?? new Provenance();
        var metrics = new Dictionary<string, SplitMetrics>(provenance.Metrics ?? [])
        {
            [split] = new SplitMetrics
            {
                Count = summary.Count,
                MeanIou = Math.Round(summary.MeanIou, 4),
                AccuracyAt50 = Math.Round(summary.AccuracyAt50, 4),
                AccuracyAt75 = Math.Round(summary.AccuracyAt75, 4),
                CocoAp50 = Math.Round(summary.CocoAp50, 4),
                CocoAp75 = Math.Round(summary.CocoAp75, 4),
            },
        };
        BundleManifestReader.Write(bundleDirectory, manifest with { Provenance = provenance with { Metrics = metrics } });
    }
}
