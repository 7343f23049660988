using System.Security.Claims;
using GroundingWeb.Accounts;
using GroundingWeb.Data;
using GroundingWeb.Services;
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
        if (BrowserFixture.BrowserMissing) return;
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
        await page.GotoAsync($"/account/login?returnUrl=%2Freview%3Fid%3D{id}");
        await page.FillAsync("#email", "dragger@example.com");
        await page.FillAsync("#password", "Dr4gTheBoxPlease");
        await page.ClickAsync("#login-button");
        await page.WaitForURLAsync("**/review?id=*");
        await page.WaitForSelectorAsync("body[data-interactive='true']");
        await page.WaitForFunctionAsync("document.querySelector('#review-prompt')?.innerText.includes('the cup to review')");
        await page.WaitForFunctionAsync("document.querySelector('#review-image img').complete && document.querySelector('#review-image img').naturalWidth > 0");
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
        await page.WaitForFunctionAsync("document.querySelector('#review-message')?.innerText.includes('Fixed')");
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
}
