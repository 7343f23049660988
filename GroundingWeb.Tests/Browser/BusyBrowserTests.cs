using GroundingWeb.Features.Ground;
using GroundingWeb.Tests.Support;
using Microsoft.Extensions.DependencyInjection;

namespace GroundingWeb.Tests.Browser;

/// <summary>The Ground page when admission control refuses: it says the server is busy, and works again once a slot is free.</summary>
[Collection(BrowserCollection.Name)]
public sealed class BusyBrowserTests(BrowserFixture fixture)
{
    [Fact]
    public async Task AFullInferenceQueueSaysTheServerIsBusyAndThenGroundsAgain()
    {
        Requires.Chromium();
        await using var app = new TestApp(("Admission:MaxConcurrent", "1"), ("Admission:MaxQueued", "0"));
        var page = await fixture.NewPageAsync(BrowserFixture.StartOnPort(app));
        var admission = app.Services.GetRequiredService<InferenceAdmission>();
        await NewUserBrowserTests.OpenAsync(page, "/");
        await page.ClickAsync("button[data-sample='chelsea.png']");
        await page.WaitForSelectorAsync(".overlay-image");

        using (await admission.EnterAsync(CancellationToken.None))
        {
            await page.FillAsync("#prompt", "the cat");
            await page.PressAsync("#prompt", "Enter");
            await page.WaitForSelectorAsync("#error");
            Assert.Contains("The server is busy", await page.InnerTextAsync("#error"));
            Assert.Equal(0, await page.Locator("g.prediction").CountAsync());
        }
        await page.ClickAsync("#ground-button");
        // Grounded: one result row (the demo's presence head may call a cat "not in this image" and draw no box).
        await BrowserFixture.WaitUntilAsync(page, "document.querySelectorAll('tr.result-row').length === 1");

        Assert.Equal(0, await page.Locator("#error").CountAsync());
    }
}
