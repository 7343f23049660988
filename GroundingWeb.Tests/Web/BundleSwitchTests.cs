using System.Net.Http.Json;
using System.Text.Json;
using GroundingWeb.Features.Api;
using GroundingWeb.Inference.Bundles;
using GroundingWeb.Inference.Hosting;
using GroundingWeb.Tests.Support;
using Microsoft.Extensions.DependencyInjection;

namespace GroundingWeb.Tests.Web;

public sealed class BundleSwitchTests
{
    [Fact]
    public async Task AnotherBundleBecomesActiveWithoutARestartAndABrokenOneChangesNothing()
    {
        using var untrained = DemoBundleCopy.Create(json => { json["trained"] = false; json["name"] = "switched-demo"; });
        using var broken = DemoBundleCopy.Create(json => json["vision"]!["tokens"] = 999);
        using var app = new TestApp();
        var client = app.Client();
        var engine = app.Services.GetRequiredService<GroundingEngine>();
        var image = File.ReadAllBytes(RepositoryPaths.Sample("chelsea.png"));
        Assert.Equal("refshapes-demo", ActiveName(engine));

        engine.Activate(untrained.Path);

        var grounded = (await (await client.PostAsync("/api/v1/ground", GroundApiTests.Form(image, "the cat")))
            .Content.ReadFromJsonAsync<GroundResponse>(new JsonSerializerOptions(JsonSerializerDefaults.Web)))!;
        Assert.Equal("switched-demo", grounded.Model.Name);
        Assert.False(grounded.Model.Trained);
        var models = (await client.GetFromJsonAsync<ModelsResponse>("/api/v1/models", new JsonSerializerOptions(JsonSerializerDefaults.Web)))!;
        Assert.Equal("switched-demo", Assert.Single(models.Bundles, b => b.Active).Name);

        Assert.ThrowsAny<BundleException>(() => engine.Activate(broken.Path));
        Assert.Equal("switched-demo", ActiveName(engine));
        Assert.Equal(Path.GetFullPath(untrained.Path), engine.ActiveBundlePath);
    }

    private static string ActiveName(GroundingEngine engine)
    {
        using var pipeline = engine.Acquire();
        return pipeline.Manifest.Name;
    }
}
