using GroundingWeb.Authoring.Onnx;
using GroundingWeb.Inference.Bundles;

namespace GroundingWeb.Cli.Bundles;

/// <summary>
/// <c>grounding bundle split</c>: gives an existing bundle the split form of its fusion head (image
/// side once per image, prompt side per prompt), written from its fusion.onnx, and records the two
/// files in bundle.json (and in its checksum list when it keeps one).
/// </summary>
internal static class BundleSplitter
{
    public static BundleManifest Split(string bundleDirectory)
    {
        var manifest = BundleManifest.Read(bundleDirectory);
        var whole = Path.Combine(bundleDirectory, manifest.Fusion.File);
        if (!File.Exists(whole))
        {
            throw new FileNotFoundException($"{whole} (field 'fusion.file') does not exist.");
        }
        var (imageSide, promptSide) = FusionHeadSplit.WriteBeside(whole);
        var fusion = manifest.Fusion with
        {
            ImageSide = Path.GetRelativePath(bundleDirectory, imageSide).Replace('\\', '/'),
            PromptSide = Path.GetRelativePath(bundleDirectory, promptSide).Replace('\\', '/'),
        };
        var files = manifest.Files is null
            ? null
            : new Dictionary<string, FileChecksum>(manifest.Files.Concat(BundleFileCopier.Checksums(bundleDirectory, [fusion.ImageSide, fusion.PromptSide])
                .Where(e => !manifest.Files.ContainsKey(e.Key))))
            {
                [fusion.ImageSide] = BundleFileCopier.Checksums(bundleDirectory, [fusion.ImageSide])[fusion.ImageSide],
                [fusion.PromptSide] = BundleFileCopier.Checksums(bundleDirectory, [fusion.PromptSide])[fusion.PromptSide],
            };
        var split = manifest with { Fusion = fusion, Files = files };
        BundleManifest.Write(bundleDirectory, split);
        return split;
    }
}
