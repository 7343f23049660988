using GroundingWeb.Inference.Bundles;
using GroundingWeb.Tests.Support;

namespace GroundingWeb.Tests.Cli;

public sealed class BundleSplitCommandTests
{
    [Fact]
    public void AWholeGraphBundleGetsItsSplitFormAndStillLoads()
    {
        using var copy = DemoBundleCopy.Create(json =>
        {
            json["fusion"]!.AsObject().Remove("imageSide");
            json["fusion"]!.AsObject().Remove("promptSide");
        });
        File.Delete(copy.File("fusion_image.onnx"));
        File.Delete(copy.File("fusion_prompt.onnx"));

        var result = CliRunner.Run("bundle", "split", "--bundle", copy.Path);

        Assert.True(result.ExitCode == 0, result.StdErr);
        Assert.Contains("wrote fusion_image.onnx and fusion_prompt.onnx from fusion.onnx", result.StdOut);
        var manifest = BundleManifest.Read(copy.Path);
        Assert.Equal("fusion_image.onnx", manifest.Fusion.ImageSide);
        Assert.Equal("fusion_prompt.onnx", manifest.Fusion.PromptSide);
        var predict = CliRunner.Run("predict", "--bundle", copy.Path, "--image", RepositoryPaths.Sample("chelsea.png"), "--prompt", "the cat", "--provider", "cpu", "--json");
        Assert.True(predict.ExitCode == 0, predict.StdErr);
    }

    [Fact]
    public void AHeadWithoutOurConfigIsAClearError()
    {
        using var copy = DemoBundleCopy.Create(_ => { });
        File.Delete(copy.File("fusion.onnx"));
        File.WriteAllBytes(copy.File("fusion.onnx"), GroundingWeb.Cli.Bench.GemmPeakProbe.MatMulModel(4, new float[16]));

        var result = CliRunner.Run("bundle", "split", "--bundle", copy.Path);

        Assert.Equal(2, result.ExitCode);
        Assert.Contains("fusion_head_config", result.StdErr);
        Assert.DoesNotContain("   at ", result.StdErr);
    }
}
