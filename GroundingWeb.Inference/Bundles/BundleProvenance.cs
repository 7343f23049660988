namespace GroundingWeb.Inference.Bundles;

/// <summary>Updates to a bundle's provenance after it is built.</summary>
public static class BundleProvenance
{
    /// <summary>
    /// Records evaluation metrics per split (e.g. "val", "testA") in <c>bundle.json</c>, replacing
    /// earlier numbers for the same splits and keeping everything else.
    /// </summary>
    public static BundleManifest RecordMetrics(string bundleDirectory, IReadOnlyDictionary<string, SplitMetrics> metrics)
    {
        ArgumentNullException.ThrowIfNull(metrics);
        var manifest = BundleManifestReader.Read(bundleDirectory);
        var merged = new Dictionary<string, SplitMetrics>(manifest.Provenance?.Metrics ?? []);
        foreach (var (split, value) in metrics)
        {
            merged[split] = value;
        }
        var updated = manifest with { Provenance = (manifest.Provenance ?? new Provenance()) with { Metrics = merged } };
        BundleManifestReader.Write(bundleDirectory, updated);
        return updated;
    }
}
