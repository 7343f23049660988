using GroundingWeb.Tests.Support;

namespace GroundingWeb.Tests.Browser;

/// <summary>
/// The Ground page on a bundle of the reference model's size (DINOv3 ViT-B/16 and BGE-small twins, the
/// reference head untrained): a visitor sees which model answers, that its head is untrained, and a
/// prediction per prompt with the stages' timings. Its random head gives boxes of no meaning, so the test
/// checks what is shown, not where the box lies.
/// </summary>
[Collection(BrowserCollection.Name)]
public sealed class TwinBundleBrowserTests(BrowserFixture fixture)
{
    [Fact]
    public async Task TheGroundPageGroundsOnTheTwinBundleAndSaysItsHeadIsUntrained()
    {
        Requires.Chromium();
        await using var app = new TestApp(("Inference:BundlePath", TwinBundle.Folder));
        var page = await fixture.NewPageAsync(BrowserFixture.StartOnPort(app));

        await NewUserBrowserTests.OpenAsync(page, "/");
        var summary = await page.InnerTextAsync("#model-summary");
        Assert.Contains("dinov3-bge-twin", summary);
        Assert.Contains("untrained", await page.InnerTextAsync("#untrained-warning"));

        await page.ClickAsync("button[data-sample='chelsea.png']");
        await page.WaitForSelectorAsync(".overlay-image");
        await page.FillAsync("#prompt", "the cat on the sofa");
        await page.PressAsync("#prompt", "Enter");
        await BrowserFixture.WaitUntilAsync(page, "document.querySelectorAll('tr.result-row').length === 1 && document.querySelector('#timings') !== null");

        Assert.Contains("the cat on the sofa", await page.InnerTextAsync("tr.result-row"));
        Assert.Equal(1, await page.Locator("g.prediction").CountAsync());
        var timings = await page.InnerTextAsync("#timings");
        Assert.Matches(@"Vision encoder\s+[1-9][\d.,]* ms", timings);
        await BrowserFixture.ScreenshotAsync(page, "30-twin-bundle-grounded");
    }
}
