using GroundingWeb.Tests.Support;

namespace GroundingWeb.Tests.Browser;

/// <summary>
/// Issue 14's "done when": the published app, in Production as an operator runs it (a child process, not the
/// test host), becomes interactive in Chromium and grounds a prompt.
/// </summary>
[Collection(BrowserCollection.Name)]
public sealed class ProductionBrowserTests(BrowserFixture fixture)
{
    [Fact]
    public async Task ThePublishedAppInProductionBecomesInteractiveAndGrounds()
    {
        Requires.Chromium();
        using var data = new TempFolder();
        using var app = await AppProcess.StartAsync(AppFolders.Published, data.Path);
        var page = await fixture.NewPageAsync(app.BaseUrl);
        var failed = new List<string>();

        page.Response += (_, response) =>
        {
            if (response.Status >= 400)
            {
                failed.Add($"{response.Status} {response.Url}");
            }
        };

        await NewUserBrowserTests.OpenAsync(page, "/");
        await page.ClickAsync("button[data-sample='refshapes-scene.png']");
        await page.WaitForSelectorAsync(".overlay-image");
        await NewUserBrowserTests.GroundAsync(page, "the purple square to the left of the hexagon");
        await NewUserBrowserTests.AssertBoxInsideImageAsync(page);
        await BrowserFixture.ScreenshotAsync(page, "40-published-production");

        Assert.Empty(failed);
        // The page's Content-Security-Policy must not stop anything the app itself does.
        // Nor, on the fixture's app, anything the browser tests that ran before this one did.
        Assert.Empty(fixture.CspViolations);
    }
}
