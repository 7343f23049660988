using GroundingWeb.Inference.Hosting;
using GroundingWeb.Tests.Support;
using Microsoft.Extensions.DependencyInjection;

namespace GroundingWeb.Tests.Web;

public sealed class GroundPageTests
{
    private static TestApp App => new();

    private static TestApp AppOn(string bundle) => new(("Inference:BundlePath", bundle));

    [Fact]
    public async Task GroundPageShowsTheLoadedModel()
    {
        using var app = App;
        var html = await app.CreateClient().GetStringAsync("/");

        Assert.Contains("refshapes-demo", html);
        // Issue 15: the chip says what the demo is, and one line what it was trained on.
        Assert.Contains(">demo model: synthetic shapes<", html);
        Assert.Contains("Trained only on RefShapes", html);
        Assert.Contains("says &quot;not in this image&quot;", html);
        Assert.DoesNotContain("untrained-warning", html);
        Assert.Contains("chelsea.png", html, StringComparison.OrdinalIgnoreCase);
    }

    /// <summary>A head trained on other data keeps the plain "trained" chip and names its data; a bundle without presence shows no presence chip.</summary>
    [Fact]
    public async Task AHeadTrainedOnOtherDataIsCalledTrainedAndNamesItsData()
    {
        using var copy = DemoBundleCopy.Create(json =>
        {
            json["provenance"]!["trainedOn"] = "RefCOCO (UNC) train";
            json["fusion"]!.AsObject().Remove("presence");
            json["fusion"]!.AsObject().Remove("imageSide");
            json["fusion"]!.AsObject().Remove("promptSide");
        });
        File.Delete(copy.File("fusion.onnx"));
        var config = GroundingWeb.Authoring.Onnx.FusionHeadOnnxWriter.ReadConfig(File.ReadAllBytes(Path.Combine(RepositoryPaths.DemoBundle, "fusion.onnx"))) with { Presence = false };
        GroundingWeb.Authoring.Onnx.FusionHeadOnnxWriter.Write(copy.File("fusion.onnx"), config, GroundingWeb.Authoring.Onnx.FusionHeadWeights.CreateRandom(config, 1));
        using var app = AppOn(copy.Path);
        var html = await app.CreateClient().GetStringAsync("/");

        Assert.Contains(">trained<", html);
        Assert.Contains("Trained on: RefCOCO (UNC) train", html);
        Assert.DoesNotContain("presence-chip", html);
    }

    [Fact]
    public async Task GroundPageSaysPlainlyWhenTheHeadIsUntrained()
    {
        using var untrained = DemoBundleCopy.Untrained();
        using var app = AppOn(untrained.Path);
        var html = await app.CreateClient().GetStringAsync("/");

        Assert.Contains("untrained-warning", html);
        Assert.Contains("untrained (random weights)", html);
    }

    [Fact]
    public async Task EngineWarmsUpAtStart()
    {
        using var app = App;
        _ = app.CreateClient();
        var engine = app.Services.GetRequiredService<GroundingEngine>();

        for (var i = 0; i < 300 && !engine.IsWarm; i++)
        {
            await Task.Delay(100);
        }

        Assert.True(engine.IsWarm);
    }
}
