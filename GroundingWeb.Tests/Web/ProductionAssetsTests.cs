using System.Net;
using System.Text.RegularExpressions;
using GroundingWeb.Tests.Support;

namespace GroundingWeb.Tests.Web;

/// <summary>
/// Issue 14 #1: run in Production straight from bin/, the app answered blazor.web.js and MudBlazor's files
/// with 500 and its own CSS and JS with an empty 200, so no page became interactive. Every script and
/// stylesheet the page names must come back whole, compressed or not, from the build and from the publish.
/// </summary>
public sealed partial class ProductionAssetsTests
{
    [Theory]
    [InlineData("build")]
    [InlineData("publish")]
    public async Task EveryScriptAndStylesheetOfThePageIsServedWholeInProduction(string output)
    {
        using var data = new TempFolder();
        using var app = await AppProcess.StartAsync(output == "build" ? AppFolders.Build : AppFolders.Published, data.Path);
        using var plain = new HttpClient { BaseAddress = new Uri(app.BaseUrl) };
        using var compressing = new HttpClient(new HttpClientHandler { AutomaticDecompression = DecompressionMethods.All })
        {
            BaseAddress = new Uri(app.BaseUrl),
        };

        var page = await plain.GetStringAsync("/");
        var assets = AssetReference().Matches(page).Select(match => match.Groups[1].Value).Distinct().ToList();
        Assert.Contains("_framework/blazor.web.js", assets);
        Assert.Contains("_content/MudBlazor/MudBlazor.min.js", assets);
        Assert.True(assets.Count >= 6, "the page names its scripts and stylesheets: " + string.Join(", ", assets));

        foreach (var asset in assets)
        {
            using var identity = await plain.GetAsync("/" + asset);
            Assert.True(identity.StatusCode == HttpStatusCode.OK, $"{asset}: {(int)identity.StatusCode}\n{app.Output}");
            var body = await identity.Content.ReadAsByteArrayAsync();
            Assert.True(body.Length > 100, $"{asset} came back with {body.Length} bytes");

            // The browser's Accept-Encoding (gzip, deflate, br): the body, once decoded, is the same file.
            using var encoded = await compressing.GetAsync("/" + asset);
            Assert.Equal(HttpStatusCode.OK, encoded.StatusCode);
            Assert.Equal(body, await encoded.Content.ReadAsByteArrayAsync());
        }
    }

    [GeneratedRegex("(?:href|src)=\"([^\"]+\\.(?:js|css))\"")]
    private static partial Regex AssetReference();
}
