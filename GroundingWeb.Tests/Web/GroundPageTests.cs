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
        Assert.Contains(">trained<", html);
        Assert.DoesNotContain("untrained-warning", html);
        Assert.Contains("chelsea.png", html, StringComparison.OrdinalIgnoreCase);
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
