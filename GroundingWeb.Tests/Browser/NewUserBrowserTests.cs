using GroundingWeb.Tests.Support;
using Microsoft.Playwright;

namespace GroundingWeb.Tests.Browser;

/// <summary>What a new visitor does: open the app, pick a sample or upload an image, ask for a box.</summary>
[Collection(BrowserCollection.Name)]
public sealed class NewUserBrowserTests(BrowserFixture fixture)
{
    internal static async Task OpenAsync(IPage page, string path)
    {
        await page.GotoAsync(path);
        await page.WaitForSelectorAsync("body[data-interactive='true']");
    }

    internal static async Task GroundAsync(IPage page, string prompt, int expectedBoxes = 1)
    {
        await page.FillAsync("#prompt", prompt);
        await page.PressAsync("#prompt", "Enter");
        var quoted = System.Text.Json.JsonSerializer.Serialize(prompt);
        await BrowserFixture.WaitUntilAsync(page, $"document.querySelectorAll('tr.result-row').length === {expectedBoxes} && " +
                                        $"document.querySelector('tr.result-row td').innerText.trim() === {quoted}");
        // These tests want the box drawn: a phrase the presence head calls "not in this image" (the demo knows
        // only shapes) is drawn dimmed once the switch is on. PresenceBrowserTests checks the switch itself.
        await ShowRejectedBoxesAsync(page);
        await BrowserFixture.WaitUntilAsync(page, $"document.querySelectorAll('g.prediction rect').length === {expectedBoxes} && " +
                                        $"document.querySelector('g.prediction').dataset.prompt === {quoted}");
    }

    internal static async Task ShowRejectedBoxesAsync(IPage page)
    {
        if (await page.Locator("tr.result-row.not-found").CountAsync() > 0 && !await page.Locator("#show-rejected input").IsCheckedAsync())
        {
            await page.ClickAsync("#show-rejected input");
        }
    }

    /// <summary>The box's on-screen rectangle must lie within the displayed image's.</summary>
    internal static async Task AssertBoxInsideImageAsync(IPage page)
    {
        var image = (await page.Locator(".overlay-image").BoundingBoxAsync())!;
        var box = (await page.Locator("g.prediction rect").First.BoundingBoxAsync())!;
        Assert.True(box.Width > 2 && box.Height > 2, "the box is drawn with a visible size");
        Assert.InRange(box.X, image.X - 2, image.X + image.Width);
        Assert.InRange(box.Y, image.Y - 2, image.Y + image.Height);
        Assert.InRange(box.X + box.Width, image.X, image.X + image.Width + 2);
        Assert.InRange(box.Y + box.Height, image.Y, image.Y + image.Height + 2);
    }

    [Fact]
    public async Task PickASampleTypeAPromptAndSeeABoxThenASecondPromptUsesTheCache()
    {
        Requires.Chromium();
        var page = await fixture.NewPageAsync();

        await OpenAsync(page, "/");
        Assert.Contains("refshapes-demo", await page.InnerTextAsync("#model-summary"));
        await BrowserFixture.ScreenshotAsync(page, "01-ground-page");

        await page.ClickAsync("button[data-sample='refshapes-scene.png']");
        await page.WaitForSelectorAsync(".overlay-image");
        await GroundAsync(page, "the purple square to the left of the hexagon");
        await AssertBoxInsideImageAsync(page);
        Assert.Contains("the purple square", await page.InnerTextAsync(".overlay-label"));
        await BrowserFixture.ScreenshotAsync(page, "02-sample-grounded");

        await GroundAsync(page, "the topmost blue shape");
        Assert.StartsWith("from cache", (await page.InnerTextAsync("#cache-state")).Trim());
        await BrowserFixture.ScreenshotAsync(page, "03-second-prompt-from-cache");
    }

    [Fact]
    public async Task SeveralPromptsGetSeveralColouredBoxesAndTheOverlayFollowsANarrowWindow()
    {
        Requires.Chromium();
        var page = await fixture.NewPageAsync(width: 520, height: 900);

        await OpenAsync(page, "/");
        await page.ClickAsync("button[data-sample='chelsea.png']");
        await page.WaitForSelectorAsync(".overlay-image");
        await page.FillAsync("#prompt", "the cat");
        await page.ClickAsync("#add-prompt");
        await page.FillAsync("#prompt-1", "the sofa");
        await page.ClickAsync("#ground-button");
        await BrowserFixture.WaitUntilAsync(page, "document.querySelectorAll('tr.result-row').length === 2");
        await ShowRejectedBoxesAsync(page);
        await BrowserFixture.WaitUntilAsync(page, "document.querySelectorAll('g.prediction rect').length === 2");

        await AssertBoxInsideImageAsync(page);
        var strokes = await page.Locator("g.prediction rect").EvaluateAllAsync<string[]>("rects => rects.map(r => r.getAttribute('stroke'))");
        Assert.Equal(2, strokes.Distinct().Count());
        Assert.Equal(2, await page.Locator("tr.result-row").CountAsync());
        await BrowserFixture.ScreenshotAsync(page, "04-two-prompts-narrow-window");
    }

    [Fact]
    public async Task UploadAFileAndGroundInIt_AndABadFileGetsAClearMessage()
    {
        Requires.Chromium();
        var page = await fixture.NewPageAsync();
        await OpenAsync(page, "/");

        await page.SetInputFilesAsync("#upload", RepositoryPaths.Sample("coffee.png"));
        await page.WaitForSelectorAsync(".overlay-image");
        await GroundAsync(page, "the cup");
        await AssertBoxInsideImageAsync(page);
        await BrowserFixture.ScreenshotAsync(page, "05-uploaded-image-grounded");

        await page.SetInputFilesAsync("#upload", new FilePayload { Name = "notes.png", MimeType = "image/png", Buffer = "not an image at all"u8.ToArray() });
        await page.WaitForSelectorAsync("#error");
        Assert.Contains("not an image format", await page.InnerTextAsync("#error"));
        Assert.Equal(0, await page.Locator(".overlay-image").CountAsync());
        await BrowserFixture.ScreenshotAsync(page, "06-bad-upload-message");
    }

    [Fact]
    public async Task PasteAnImageThenDownloadTheCropAndCopyTheBoxAsJson()
    {
        Requires.Chromium();
        var page = await fixture.NewPageAsync();
        await page.Context.GrantPermissionsAsync(["clipboard-read", "clipboard-write"]);
        await OpenAsync(page, "/");

        // What Ctrl+V with an image on the clipboard delivers to the page.
        var png = Convert.ToBase64String(File.ReadAllBytes(RepositoryPaths.Sample("refshapes-scene.png")));
        await page.EvaluateAsync(@"base64 => {
            const bytes = Uint8Array.from(atob(base64), c => c.charCodeAt(0));
            const data = new DataTransfer();
            data.items.add(new File([bytes], 'clipboard.png', { type: 'image/png' }));
            document.dispatchEvent(new ClipboardEvent('paste', { clipboardData: data, bubbles: true }));
        }", png);
        await page.WaitForSelectorAsync(".overlay-image");
        await GroundAsync(page, "the red hexagon");

        var download = await page.RunAndWaitForDownloadAsync(() => page.ClickAsync(".crop-button"));
        Assert.Equal("crop-the-red-hexagon.png", download.SuggestedFilename);
        var cropPath = Path.Combine(BrowserFixture.ScreenshotFolder, "13-crop-the-red-hexagon.png");
        await download.SaveAsAsync(cropPath);
        using (var crop = SixLabors.ImageSharp.Image.Load(cropPath))
        {
            var box = (await page.InnerTextAsync("tr.result-row td.box")).Split(' ').Select(float.Parse).ToArray();
            Assert.InRange(crop.Width, box[2] - box[0] - 2, box[2] - box[0] + 2);
            Assert.InRange(crop.Height, box[3] - box[1] - 2, box[3] - box[1] + 2);
        }

        await page.ClickAsync(".copy-button");
        await page.WaitForSelectorAsync(".mud-snackbar");
        var copied = System.Text.Json.JsonDocument.Parse(await page.EvaluateAsync<string>("navigator.clipboard.readText()")).RootElement;
        Assert.Equal("the red hexagon", copied.GetProperty("prompt").GetString());
        Assert.Equal(4, copied.GetProperty("box").GetArrayLength());
        Assert.Equal(562, copied.GetProperty("imageWidth").GetInt32());
        await BrowserFixture.ScreenshotAsync(page, "14-pasted-image-crop-and-copy");
    }
}
