using System.Security.Cryptography;
using GroundingWeb.Authoring.Onnx;
using GroundingWeb.Inference.Bundles;

namespace GroundingWeb.Authoring.Demo;

/// <summary>
/// Writes a bundle's split fusion head (the two halves its manifest names) from its whole
/// <c>fusion.onnx</c> when they are missing or were made from another head: the demo bundle commits
/// only the whole graph. Halves written elsewhere (they record no source) are left alone, and so is
/// a whole graph without our config metadata; the loader then says what is wrong.
/// </summary>
internal static class FusionSplitMaterializer
{
    public static void EnsureCurrent(string bundleDirectory, FusionHeadManifest fusion)
    {
        if (fusion.ImageSide is null || fusion.PromptSide is null)
        {
            return;
        }
        var whole = Path.Combine(bundleDirectory, fusion.File);
        var halves = new[] { Path.Combine(bundleDirectory, fusion.ImageSide), Path.Combine(bundleDirectory, fusion.PromptSide) };
        if (!File.Exists(whole) || IsCurrent(whole, halves))
        {
            return;
        }
        using var gate = PackagedFileMaterializer.AcquireLock(Path.Combine(bundleDirectory, ".materialize.lock"));
        if (IsCurrent(whole, halves))
        {
            return;
        }
        var bytes = File.ReadAllBytes(whole);
        FusionHeadConfig config;
        try
        {
            config = FusionHeadOnnxWriter.ReadConfig(bytes);
        }
        catch (InvalidDataException)
        {
            return;
        }
        var weights = FusionHeadSplit.ReadWeights(bytes, config);
        var sha = Convert.ToHexStringLower(SHA256.HashData(bytes));
        Shared.AtomicFile.WriteAllBytes(halves[0], FusionHeadSplit.BuildImageSide(config, weights, sha));
        Shared.AtomicFile.WriteAllBytes(halves[1], FusionHeadSplit.BuildPromptSide(config, weights, sha));
    }

    private static bool IsCurrent(string whole, string[] halves)
    {
        if (!halves.All(File.Exists))
        {
            return false;
        }
        var recorded = halves.Select(FusionHeadSplit.RecordedWholeSha256).ToArray();
        // Halves that record no source were written elsewhere: not ours to replace.
        if (recorded.Any(r => r is null)) return true;
        var sha = PackagedFileMaterializer.Sha256Of(whole);
        return recorded.All(r => r == sha);
    }
}
