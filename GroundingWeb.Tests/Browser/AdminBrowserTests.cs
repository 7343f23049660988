using GroundingWeb.Tests.Support;
using GroundingWeb.Features.Accounts;
using Microsoft.Extensions.DependencyInjection;

namespace GroundingWeb.Tests.Browser;

/// <summary>The first admin: set up through the one-time link, then ground, and read the history.</summary>
[Collection(BrowserCollection.Name)]
public sealed class AdminBrowserTests(BrowserFixture fixture)
{
    [Fact]
    public async Task SetUpTheAdminThroughTheFirstRunLinkThenOpenHistoryAndADetail()
    {
        Requires.Chromium();
        var page = await fixture.NewPageAsync();

        // Anonymous visitors are sent to the sign-in page, which points at the console's setup link.
        await page.GotoAsync("/history");
        await page.WaitForURLAsync("**/account/login**");
        await BrowserFixture.ScreenshotAsync(page, "07-history-needs-sign-in");

        // The link the app printed to its console.
        var token = fixture.App.Services.GetRequiredService<FirstRunSetup>().Open();
        await page.GotoAsync($"/account/setup?token={token}");
        await page.FillAsync("#email", "admin@example.com");
        await page.FillAsync("#password", "Adm1nistrator");
        await page.FillAsync("#confirm", "Adm1nistrator");
        await BrowserFixture.ScreenshotAsync(page, "08-first-run-setup");
        await page.ClickAsync("#setup-button");
        await page.WaitForURLAsync("**/admin/users");
        await page.WaitForSelectorAsync("body[data-interactive='true']");
        Assert.Contains("admin@example.com", await page.InnerTextAsync("#signed-in-as"));
        await BrowserFixture.ScreenshotAsync(page, "09-admin-signed-in-users-page");

        await NewUserBrowserTests.OpenAsync(page, "/");
        await page.ClickAsync("button[data-sample='chelsea.png']");
        await page.WaitForSelectorAsync(".overlay-image");
        await NewUserBrowserTests.GroundAsync(page, "the cat on the sofa");

        await NewUserBrowserTests.OpenAsync(page, "/history");
        await page.WaitForSelectorAsync(".history-prompt");
        await page.FillAsync("#history-search", "cat on the sofa");
        await BrowserFixture.WaitUntilAsync(page, "[...document.querySelectorAll('.history-prompt')].length === 1");
        Assert.Contains("admin@example.com", await page.InnerTextAsync("#history-table"));
        await BrowserFixture.WaitUntilAsync(page, "[...document.querySelectorAll('img.history-thumb')].every(i => i.complete && i.naturalWidth > 0)");
        await BrowserFixture.ScreenshotAsync(page, "10-history-search");

        await page.ClickAsync(".history-prompt");
        await page.WaitForURLAsync("**/history/*");
        await page.WaitForSelectorAsync("#detail-prompt");
        await BrowserFixture.WaitUntilAsync(page, "document.querySelector('.overlay-image').complete && document.querySelector('.overlay-image').naturalWidth === 451");
        Assert.Contains("the cat on the sofa", await page.InnerTextAsync("#detail-prompt"));
        await NewUserBrowserTests.AssertBoxInsideImageAsync(page);
        await BrowserFixture.ScreenshotAsync(page, "11-prediction-detail");

        await NewUserBrowserTests.OpenAsync(page, "/models");
        Assert.Contains("refshapes-demo", await page.InnerTextAsync("body"));
        Assert.Equal(1, await page.Locator(".active-chip").CountAsync());
        Assert.Contains("warmed up", await page.InnerTextAsync("#warm-state"));
        await BrowserFixture.ScreenshotAsync(page, "12-models");

        // The admin creates a reviewer, who signs in in another browser and sees the team's history.
        await NewUserBrowserTests.OpenAsync(page, "/admin/users");
        await page.FillAsync("#new-email", "reviewer@example.com");
        await page.FillAsync("#new-password", "Rev1ewerPassword");
        await page.ClickAsync("#create-user");
        await page.WaitForSelectorAsync("#users-message");
        Assert.Contains("Created reviewer@example.com as Reviewer", await page.InnerTextAsync("#users-message"));
        Assert.Contains("reviewer@example.com", await page.InnerTextAsync("#user-table"));
        await BrowserFixture.ScreenshotAsync(page, "15-admin-created-reviewer");

        var reviewer = await fixture.NewPageAsync();
        await BrowserFixture.SignInAsync(reviewer, "reviewer@example.com", "Rev1ewerPassword", "/history");
        await reviewer.WaitForURLAsync("**/history");
        await reviewer.WaitForSelectorAsync(".history-prompt");
        Assert.Equal(0, await reviewer.Locator("#nav-users").CountAsync());
        await BrowserFixture.ScreenshotAsync(reviewer, "16-reviewer-signed-in-history");
    }
}
