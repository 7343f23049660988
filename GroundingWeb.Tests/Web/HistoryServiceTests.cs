using System.Security.Claims;
using GroundingWeb.Data;
using GroundingWeb.Features.Ground;
using GroundingWeb.Features.History;
using GroundingWeb.Tests.Support;
using Microsoft.Extensions.DependencyInjection;

namespace GroundingWeb.Tests.Web;

public sealed class HistoryServiceTests
{
    private static readonly ClaimsPrincipal Anonymous = new(new ClaimsIdentity());

    private static ClaimsPrincipal User(string name) =>
        new(new ClaimsIdentity([new Claim(ClaimTypes.NameIdentifier, "id-" + name), new Claim(ClaimTypes.Name, name)], "test"));

    [Fact]
    public async Task SearchFiltersByPromptModelUserAndReviewStateAndPages()
    {
        using var app = new TestApp();
        using var scope = app.Services.CreateScope();
        var grounding = scope.ServiceProvider.GetRequiredService<GroundingService>();
        var history = scope.ServiceProvider.GetRequiredService<HistoryService>();
        var chelsea = File.ReadAllBytes(RepositoryPaths.Sample("chelsea.png"));
        await grounding.GroundAsync(chelsea, ["the cat", "the Tabby CAT on the left", "a 100%_odd prompt"], Anonymous, "test");
        await grounding.GroundAsync(chelsea, ["the cat again"], User("ann@example.com"), "test");

        Assert.Equal(4, (await history.SearchAsync(new HistoryQuery())).TotalCount);
        Assert.Equal(3, (await history.SearchAsync(new HistoryQuery { PromptContains = "cat" })).TotalCount);
        Assert.Equal(1, (await history.SearchAsync(new HistoryQuery { PromptContains = "tabby cat" })).TotalCount);
        Assert.Equal(1, (await history.SearchAsync(new HistoryQuery { PromptContains = "100%_" })).TotalCount);
        Assert.Equal(0, (await history.SearchAsync(new HistoryQuery { PromptContains = "100%x" })).TotalCount);
        Assert.Equal(4, (await history.SearchAsync(new HistoryQuery { Model = "refshapes-demo" })).TotalCount);
        Assert.Equal(0, (await history.SearchAsync(new HistoryQuery { Model = "other" })).TotalCount);
        Assert.Equal("the cat again", Assert.Single((await history.SearchAsync(new HistoryQuery { User = "ann@example.com" })).Items).Prompt);
        Assert.Equal(3, (await history.SearchAsync(new HistoryQuery { User = HistoryQuery.AnonymousUser })).TotalCount);
        Assert.Equal(4, (await history.SearchAsync(new HistoryQuery { ReviewState = ReviewState.Unreviewed })).TotalCount);
        Assert.Equal(0, (await history.SearchAsync(new HistoryQuery { ReviewState = ReviewState.Reviewed })).TotalCount);
        var today = DateOnly.FromDateTime(DateTime.UtcNow);
        Assert.Equal(4, (await history.SearchAsync(new HistoryQuery { From = today, To = today })).TotalCount);
        Assert.Equal(0, (await history.SearchAsync(new HistoryQuery { From = today.AddDays(1) })).TotalCount);
        Assert.Equal(0, (await history.SearchAsync(new HistoryQuery { To = today.AddDays(-1) })).TotalCount);

        var first = await history.SearchAsync(new HistoryQuery { PageSize = 3, Page = 0 });
        var second = await history.SearchAsync(new HistoryQuery { PageSize = 3, Page = 1 });
        Assert.Equal((3, 1, 4), (first.Items.Count, second.Items.Count, second.TotalCount));
        // Newest first.
        Assert.Equal("the cat again", first.Items[0].Prompt);
        Assert.Equal(["ann@example.com", "refshapes-demo"], [.. await history.UserNamesAsync(), .. await history.ModelNamesAsync()]);
    }

    [Fact]
    public async Task ImagesAreStoredOnceByHashAndRemovedWithTheirLastPrediction()
    {
        using var app = new TestApp();
        using var scope = app.Services.CreateScope();
        var grounding = scope.ServiceProvider.GetRequiredService<GroundingService>();
        var history = scope.ServiceProvider.GetRequiredService<HistoryService>();
        var store = scope.ServiceProvider.GetRequiredService<ImageStore>();
        var chelsea = File.ReadAllBytes(RepositoryPaths.Sample("chelsea.png"));
        var coffee = File.ReadAllBytes(RepositoryPaths.Sample("coffee.png"));

        var a = await grounding.GroundAsync(chelsea, ["the cat", "the sofa"], Anonymous, "test");
        var b = await grounding.GroundAsync(chelsea, ["the cat"], Anonymous, "test");
        var c = await grounding.GroundAsync(coffee, ["the cup"], Anonymous, "test");
        var chelseaFile = store.PathOf(a.Result.ImageSha256, "png");
        Assert.Equal(2, app.StoredImageFileCount());
        Assert.Equal(chelsea, File.ReadAllBytes(chelseaFile));
        Assert.True(File.Exists(store.ThumbnailPathOf(a.Result.ImageSha256)));

        // Two of chelsea's three predictions go: the image stays for the third.
        Assert.Equal(2, await history.DeleteAsync([.. a.PredictionIds]));
        Assert.True(File.Exists(chelseaFile));

        Assert.Equal(1, await history.DeleteAsync([b.PredictionIds[0]]));
        Assert.False(File.Exists(chelseaFile));
        Assert.False(File.Exists(store.ThumbnailPathOf(a.Result.ImageSha256)));
        Assert.Equal(1, app.StoredImageFileCount());
        Assert.NotNull(await history.FindAsync(c.PredictionIds[0]));
        Assert.Null(await history.FindAsync(b.PredictionIds[0]));
    }

    [Fact]
    public void HashesFromUrlsNeverBecomeOtherPaths()
    {
        using var app = new TestApp();
        var store = app.Services.GetRequiredService<ImageStore>();

        Assert.Throws<ArgumentException>(() => store.PathOf("../../etc/passwd", "png"));
        Assert.Throws<ArgumentException>(() => store.ThumbnailPathOf(new string('A', 64)));
    }
}
