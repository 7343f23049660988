using GroundingWeb.Tests.Support;

namespace GroundingWeb.Tests.Browser;

/// <summary>
/// "Not in this image" on the Ground page (issue 15), with the committed demo bundle's presence head: an
/// example row fills image and prompt in one click; a phrase that matches a shape of the RefShapes scene
/// gets its box, one that matches nothing is "not in this image" with no box until asked for, dimmed.
/// The page says what the model is.
/// </summary>
[Collection(BrowserCollection.Name)]
public sealed class PresenceBrowserTests(BrowserFixture fixture)
{
    [Fact]
    public async Task APhraseThatMatchesNothingIsNotFoundAndOneThatMatchesGetsItsBox()
    {
        Requires.Chromium();
        var page = await fixture.NewPageAsync();
        await NewUserBrowserTests.OpenAsync(page, "/");

        Assert.Contains("demo model: synthetic shapes", await page.InnerTextAsync("#model-chip"));
        Assert.Contains("RefShapes", await page.InnerTextAsync("#trained-on"));

        await page.ClickAsync(".example-row[data-prompt='the blue square on the right']");
        await page.WaitForSelectorAsync(".overlay-image");
        Assert.Equal("the blue square on the right", await page.InputValueAsync("#prompt"));
        await page.ClickAsync("#ground-button");
        await BrowserFixture.WaitUntilAsync(page, "document.querySelectorAll('tr.result-row').length === 1");
        Assert.Contains("found", await page.InnerTextAsync("td.presence"));
        Assert.Equal(1, await page.Locator("g.prediction:not(.dimmed) rect").CountAsync());
        await NewUserBrowserTests.AssertBoxInsideImageAsync(page);
        await BrowserFixture.ScreenshotAsync(page, "presence-01-found");

        await page.ClickAsync(".example-row[data-prompt='the green star']");
        await page.ClickAsync("#ground-button");
        await BrowserFixture.WaitUntilAsync(page, "document.querySelector('tr.result-row.not-found') !== null");
        Assert.Contains("not in this image", await page.InnerTextAsync("td.presence"));
        Assert.Equal(0, await page.Locator("g.prediction rect").CountAsync());
        await BrowserFixture.ScreenshotAsync(page, "presence-02-not-found");

        // The toggle shows the model's best guess anyway, dimmed.
        await page.ClickAsync("#show-rejected input");
        await BrowserFixture.WaitUntilAsync(page, "document.querySelectorAll('g.prediction.dimmed rect').length === 1");
        await BrowserFixture.ScreenshotAsync(page, "presence-03-shown-dimmed");
        await page.ClickAsync("#show-rejected input");
        await BrowserFixture.WaitUntilAsync(page, "document.querySelectorAll('g.prediction rect').length === 0");

        // The slider moves what the page shows (at 0 every phrase is found), says the stored verdict keeps the
        // model's threshold, and Reset brings that threshold back.
        Assert.Contains("history and review keep the verdict", await page.InnerTextAsync("#threshold-note"));
        Assert.Equal(0, await page.Locator("#threshold-reset").CountAsync());
        await page.FocusAsync("#presence-threshold input[type=range]");
        await page.Keyboard.PressAsync("Home");
        await BrowserFixture.WaitUntilAsync(page, "document.querySelector('#threshold-value').textContent === '0.00'");
        await BrowserFixture.WaitUntilAsync(page, "document.querySelector('tr.result-row.not-found') === null");
        Assert.Equal(1, await page.Locator("g.prediction:not(.dimmed) rect").CountAsync());
        await page.ClickAsync("#threshold-reset");
        await BrowserFixture.WaitUntilAsync(page, "document.querySelector('tr.result-row.not-found') !== null");
        Assert.NotEqual("0.00", await page.InnerTextAsync("#threshold-value"));
        Assert.Empty(fixture.CspViolations);
    }
}
