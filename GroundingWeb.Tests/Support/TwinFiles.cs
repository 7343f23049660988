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

/// <summary>
/// A bundle of the twins and an untrained head of the reference size, assembled once by
/// <c>bundle create</c>'s code under artifacts/twins (the folder appears only when complete).
/// </summary>
internal static class TwinBundle
{
    private static readonly Lazy<string> Created = new(() =>
    {
        var twins = TwinFiles.Shared;
        var folder = Path.Combine(Path.GetDirectoryName(twins.VisionFolder)!, "bundles", "dinov3-bge-twin");
        if (Directory.Exists(folder))
        {
            return folder;
        }
        var head = Path.Combine(Path.GetDirectoryName(twins.VisionFolder)!, "reference-head.onnx");
        var config = GroundingWeb.Authoring.Onnx.FusionHeadConfig.Reference;
        GroundingWeb.Authoring.Onnx.FusionHeadOnnxWriter.Write(head, config, GroundingWeb.Authoring.Onnx.FusionHeadWeights.CreateRandom(config, 1));
        return GroundingWeb.Cli.Bundles.BundleAssembler.Create(new GroundingWeb.Cli.Bundles.BundleCreateRequest
        {
            Vision = twins.VisionFolder, Text = twins.TextFolder, Head = head, Output = folder, Name = "dinov3-bge-twin", Untrained = true,
            ProbeImage = RepositoryPaths.Sample("chelsea.png"),
        }).Directory;
    });

    public static string Folder => Created.Value;
}
