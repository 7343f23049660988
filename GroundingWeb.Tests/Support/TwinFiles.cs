using GroundingWeb.Authoring.Twins;
using GroundingWeb.Inference.Hosting;

namespace GroundingWeb.Tests.Support;

/// <summary>
/// The reference encoders' twins (about 480 MB), written once under artifacts/twins and reused by
/// every test and later runs: the same seed writes the same files, and a marker file says they are whole.
/// </summary>
internal static class TwinFiles
{
    private const ulong Seed = 1;

    private static readonly Lazy<ReferenceTwinFiles> Written = new(() =>
    {
        var folder = Path.Combine(Path.GetDirectoryName(BundlePathResolver.Resolve("models"))!, "artifacts", "twins", $"v1-seed{Seed}");
        var marker = Path.Combine(folder, "complete");
        if (File.Exists(marker))
        {
            return new ReferenceTwinFiles(
                Path.Combine(folder, ReferenceTwins.VisionFolderName), Path.Combine(folder, ReferenceTwins.TextFolderName),
                ReferenceTwins.DinoV3Parameters, ReferenceTwins.BgeParameters);
        }
        var files = ReferenceTwins.Write(folder, Seed, overwrite: true);
        File.WriteAllText(marker, "written by GroundingWeb.Tests\n");
        return files;
    });

    public static ReferenceTwinFiles Shared => Written.Value;
}
