namespace GroundingWeb.Tests.Support;

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
