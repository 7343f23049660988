using System.Globalization;
using System.Text.Json;
using GroundingWeb.Features.Accounts;
using GroundingWeb.Data;
using GroundingWeb.Features.Datasets;
using GroundingWeb.Tests.Support;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Playwright;

namespace GroundingWeb.Tests.Browser;

/// <summary>An admin evaluates the demo bundle on the registered RefShapes split and reads the dashboard.</summary>
[Collection(BrowserCollection.Name)]
public sealed class EvaluationBrowserTests(BrowserFixture fixture)
{
    private static async Task StartRunAsync(IPage page, string limit)
    {
        await page.FillAsync("#run-limit", limit);
        await page.PressAsync("#run-limit", "Tab");
        await page.ClickAsync("#start-run");
        await page.WaitForSelectorAsync("#run-message");
    }

    [Fact]
    public async Task AnAdminRunsAnEvaluationAndTheDashboardShowsTheCliNumbers()
    {
        Requires.Chromium();
        using (var scope = fixture.App.Services.CreateScope())
        {
            Assert.True((await scope.ServiceProvider.GetRequiredService<InvitationService>().CreateUserAsync("evaluator@example.com", "Evalu4tionAdmin", Roles.Admin)).Succeeded);
        }
        var page = await fixture.NewPageAsync();
        await BrowserFixture.SignInAsync(page, "evaluator@example.com", "Evalu4tionAdmin", "/datasets");
        await page.WaitForURLAsync("**/datasets");
        await page.WaitForSelectorAsync("body[data-interactive='true']");
        Assert.Contains(DatasetRegistry.DemoName, await page.InnerTextAsync("#dataset-table"));
        await BrowserFixture.ScreenshotAsync(page, "20-datasets");

        await NewUserBrowserTests.OpenAsync(page, "/evaluations");
        await StartRunAsync(page, "24");
        Assert.Contains("queued: 24 samples", await page.InnerTextAsync("#run-message"));
        await BrowserFixture.ScreenshotAsync(page, "21-evaluation-started");
        await page.WaitForSelectorAsync("tr.run-row[data-status='Completed']", new() { Timeout = 180_000 });
        await BrowserFixture.ScreenshotAsync(page, "22-evaluation-completed");

        await page.ClickAsync("tr.run-row[data-status='Completed'] a");
        await page.WaitForSelectorAsync("#metric-acc50");
        var shownAcc50 = (await page.InnerTextAsync("#metric-acc50")).Trim();
        var shownMeanIou = (await page.InnerTextAsync("#metric-miou")).Trim();
        // The box metrics count the samples with a target; the no-target ones have their own section.
        var negatives = int.Parse((await page.InnerTextAsync("#no-target-count")).Trim(), CultureInfo.InvariantCulture);
        Assert.InRange(negatives, 1, 23);
        Assert.Equal((24 - negatives).ToString(CultureInfo.InvariantCulture), (await page.InnerTextAsync("#metric-count")).Trim());
        Assert.NotEmpty((await page.InnerTextAsync("#n-acc")).Trim());
        Assert.Equal(10, await page.Locator("#iou-histogram path.mud-chart-bar").CountAsync());
        Assert.Equal(2, await page.Locator("#iou-curve path.mud-chart-line").CountAsync());
        await BrowserFixture.WaitUntilAsync(page, "[...document.querySelectorAll('.worst-case img')].every(i => i.complete && i.naturalWidth > 0)");
        await BrowserFixture.ScreenshotAsync(page, "23-evaluation-dashboard");

        // The same split and limit through the CLI.
        var dataset = (await fixture.App.Services.GetRequiredService<DatasetRegistry>().ListAsync()).Single(d => d.Name == DatasetRegistry.DemoName);
        using var folder = new TempFolder();
        var cli = CliRunner.Run("evaluate", "--bundle", RepositoryPaths.DemoBundle, "--dataset", dataset.Path, "--format", "jsonl",
            "--split", "val", "--limit", "24", "--provider", "cpu", "--summary", folder.File("summary.json"));
        Assert.Equal(0, cli.ExitCode);
        var summary = JsonDocument.Parse(File.ReadAllText(folder.File("summary.json"))).RootElement.GetProperty("summary");
        Assert.Equal(summary.GetProperty("accuracyAt50").GetDouble().ToString("F4", CultureInfo.InvariantCulture), shownAcc50);
        Assert.Equal(summary.GetProperty("meanIou").GetDouble().ToString("F4", CultureInfo.InvariantCulture), shownMeanIou);

        // A worst case opens with both boxes drawn.
        await page.ClickAsync(".worst-case");
        await page.WaitForSelectorAsync("#sample-iou");
        Assert.Equal(2, await page.Locator("g.prediction rect").CountAsync());
        await BrowserFixture.ScreenshotAsync(page, "24-worst-case-sample");

        // A second run on another split, then both side by side.
        await NewUserBrowserTests.OpenAsync(page, "/evaluations");
        await StartRunAsync(page, "10");
        await BrowserFixture.WaitUntilAsync(page, "document.querySelectorAll(\"tr.run-row[data-status='Completed']\").length === 2", 180_000);
        foreach (var box in await page.Locator("tr.run-row input[type=checkbox]").AllAsync())
        {
            await box.CheckAsync();
        }
        await page.ClickAsync("#compare-button");
        await page.WaitForSelectorAsync("#compare-table");
        Assert.Contains(shownAcc50, await page.InnerTextAsync("#compare-table"));
        await BrowserFixture.ScreenshotAsync(page, "25-compare-runs");

        var csv = await page.APIRequest.GetAsync("/evaluations/1/results.csv");
        Assert.Equal(200, csv.Status);
        Assert.Equal(25, (await csv.TextAsync()).Split('\n', StringSplitOptions.RemoveEmptyEntries).Length);
    }
}
