using System.Security.Claims;
using GroundingWeb.Features.Accounts;
using GroundingWeb.Data;
using GroundingWeb.Components;
using GroundingWeb.Features.Ground;
using GroundingWeb.Tests.Support;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace GroundingWeb.Tests.Browser;

/// <summary>A reviewer drags the model's box to where the object is; the stored fix follows the drag.</summary>
[Collection(BrowserCollection.Name)]
public sealed class ReviewBrowserTests(BrowserFixture fixture)
{
    [Fact]
    public async Task AReviewerFixesABoxByDraggingAndTheStoredBoxChanges()
    {
        Requires.Chromium();
        long id;
        using (var scope = fixture.App.Services.CreateScope())
        {
            var created = await scope.ServiceProvider.GetRequiredService<InvitationService>().CreateUserAsync("dragger@example.com", "Dr4gTheBoxPlease", Roles.Reviewer);
            Assert.True(created.Succeeded);
            var outcome = await scope.ServiceProvider.GetRequiredService<GroundingService>().GroundAsync(
                File.ReadAllBytes(RepositoryPaths.Sample("coffee.png")), ["the cup to review"], new ClaimsPrincipal(new ClaimsIdentity()), "test");
            id = outcome.PredictionIds[0];
        }
        var page = await fixture.NewPageAsync();
        await BrowserFixture.SignInAsync(page, "dragger@example.com", "Dr4gTheBoxPlease", $"/review?id={id}");
        await page.WaitForURLAsync("**/review?id=*");
        await page.WaitForSelectorAsync("body[data-interactive='true']");
        await BrowserFixture.WaitUntilAsync(page, "document.querySelector('#review-prompt')?.innerText.includes('the cup to review')");
        await BrowserFixture.WaitUntilAsync(page, "document.querySelector('#review-image img').complete && document.querySelector('#review-image img').naturalWidth > 0");
        await BrowserFixture.ScreenshotAsync(page, "17-review-before-drag");

        PredictionRecord model;
        using (var scope = fixture.App.Services.CreateScope())
        {
            model = await scope.ServiceProvider.GetRequiredService<AppDbContext>().Predictions.Include(p => p.Image).SingleAsync(p => p.Id == id);
        }
        var image = (await page.Locator("#review-image img").BoundingBoxAsync())!;
        var box = (await page.Locator(".edit-box").BoundingBoxAsync())!;
        var scale = model.Image!.Width / image.Width;
        // Drag the box's middle by (-40, +25) screen pixels; keep the move inside the image.
        var (dx, dy) = (box.X > image.X + 60 ? -40f : 40f, box.Y + box.Height < image.Y + image.Height - 40 ? 25f : -25f);
        await page.Mouse.MoveAsync(box.X + box.Width / 2, box.Y + box.Height / 2);
        await page.Mouse.DownAsync();
        await page.Mouse.MoveAsync(box.X + box.Width / 2 + dx, box.Y + box.Height / 2 + dy, new() { Steps = 8 });
        await page.Mouse.UpAsync();
        await page.WaitForSelectorAsync("#edited-box");
        await BrowserFixture.ScreenshotAsync(page, "18-review-after-drag");

        await page.Keyboard.PressAsync("f");
        await BrowserFixture.WaitUntilAsync(page, "document.querySelector('#review-message')?.innerText.includes('Fixed')");
        await BrowserFixture.ScreenshotAsync(page, "19-review-saved-fixed");

        using (var scope = fixture.App.Services.CreateScope())
        {
            var review = await scope.ServiceProvider.GetRequiredService<AppDbContext>().Reviews.SingleAsync(r => r.PredictionId == id);
            Assert.Equal(Verdict.Fixed, review.Verdict);
            Assert.Equal("dragger@example.com", review.ReviewerName);
            var fixedBox = review.CorrectedBox!.Value;
            Assert.Equal(model.X1 + dx * scale, fixedBox.X1, 3.0 * scale);
            Assert.Equal(model.Y1 + dy * scale, fixedBox.Y1, 3.0 * scale);
            Assert.Equal(model.X2 - model.X1, fixedBox.X2 - fixedBox.X1, 1.0);
            Assert.True(review.IouWithModel < 1);
        }
    }

    [Fact]
    public async Task ATouchGestureDrawsANewBoxWhereTheFingerWent()
    {
        Requires.Chromium();
        long id;
        float from;
        using (var scope = fixture.App.Services.CreateScope())
        {
            Assert.True((await scope.ServiceProvider.GetRequiredService<InvitationService>().CreateUserAsync("toucher@example.com", "T0uchTheScreen", Roles.Reviewer)).Succeeded);
            var outcome = await scope.ServiceProvider.GetRequiredService<GroundingService>().GroundAsync(
                File.ReadAllBytes(RepositoryPaths.Sample("refshapes-scene.png")), ["the touched shape"], new ClaimsPrincipal(new ClaimsIdentity()), "test");
            id = outcome.PredictionIds[0];
            // Start the gesture outside the model's box, where a drag draws rather than moves.
            var model = outcome.Result.Predictions[0].NormalizedBox;
            from = model.X1 <= 0.1f && model.Y1 <= 0.1f && model.X2 >= 0.1f && model.Y2 >= 0.1f ? 0.7f : 0.1f;
        }
        var page = await fixture.NewPageAsync(width: 800, height: 1000);
        await BrowserFixture.SignInAsync(page, "toucher@example.com", "T0uchTheScreen", $"/review?id={id}");
        await page.WaitForSelectorAsync("body[data-interactive='true']");
        await BrowserFixture.WaitUntilAsync(page, "document.querySelector('#review-prompt')?.innerText.includes('the touched shape')");
        await BrowserFixture.WaitUntilAsync(page, "document.querySelector('#review-image img').complete && document.querySelector('#review-image img').naturalWidth > 0");

        // A finger drawing a box over a fifth of the image's width and height.
        var image = (await page.Locator("#review-image img").BoundingBoxAsync())!;
        var to = from + 0.2f;
        var (x1, y1, x2, y2) = (image.X + image.Width * from, image.Y + image.Height * from, image.X + image.Width * to, image.Y + image.Height * to);
        // Doubles: Playwright does not pass a float[] through as numbers.
        await page.EvaluateAsync(@"([x1, y1, x2, y2]) => {
            const svg = document.querySelector('.edit-svg');
            const fire = (type, x, y) => svg.dispatchEvent(new PointerEvent(type, { pointerType: 'touch', pointerId: 7, isPrimary: true, clientX: x, clientY: y, bubbles: true }));
            fire('pointerdown', x1, y1);
            for (let i = 1; i <= 5; i++) fire('pointermove', x1 + (x2 - x1) * i / 5, y1 + (y2 - y1) * i / 5);
            fire('pointerup', x2, y2);
        }", new double[] { x1, y1, x2, y2 });
        await page.WaitForSelectorAsync("#edited-box");
        await page.ClickAsync("#verdict-fixed");
        await BrowserFixture.WaitUntilAsync(page, "document.querySelector('#review-message')?.innerText.includes('Fixed')");
        await BrowserFixture.ScreenshotAsync(page, "26-review-touch-drawn");

        using var check = fixture.App.Services.CreateScope();
        var review = await check.ServiceProvider.GetRequiredService<AppDbContext>().Reviews.Include(r => r.Prediction).ThenInclude(p => p!.Image).SingleAsync(r => r.PredictionId == id);
        var box = review.CorrectedBox!.Value;
        var (w, h) = (review.Prediction!.Image!.Width, review.Prediction.Image.Height);
        Assert.Equal(from * w, box.X1, 0.02 * w);
        Assert.Equal(from * h, box.Y1, 0.02 * h);
        Assert.Equal(to * w, box.X2, 0.02 * w);
        Assert.Equal(to * h, box.Y2, 0.02 * h);
    }
}
