using System.IO.Compression;
using System.Security.Claims;
using GroundingWeb.Data;
using GroundingWeb.Evaluation.Datasets;
using GroundingWeb.Inference.Geometry;
using GroundingWeb.Features.Review;
using GroundingWeb.Features.Ground;
using GroundingWeb.Features.History;
using GroundingWeb.Tests.Support;
using Microsoft.Extensions.DependencyInjection;

namespace GroundingWeb.Tests.Review;

public sealed class ReviewServiceTests : IDisposable
{
    private static readonly ClaimsPrincipal Anonymous = new(new ClaimsIdentity());
    private readonly TestApp _app = new();
    private readonly IServiceScope _scope;

    public ReviewServiceTests() => _scope = _app.Services.CreateScope();

    private ReviewService Reviews => _scope.ServiceProvider.GetRequiredService<ReviewService>();

    private async Task<IReadOnlyList<long>> GroundAsync(string sample, params string[] prompts) =>
        (await _scope.ServiceProvider.GetRequiredService<GroundingService>()
            .GroundAsync(File.ReadAllBytes(RepositoryPaths.Sample(sample)), prompts, Anonymous, "test")).PredictionIds;

    [Fact]
    public async Task QueueHoldsWhatTheReviewerHasNotJudgedNarrowedByFilters()
    {
        var cat = await GroundAsync("chelsea.png", "the cat", "the sofa");
        var cup = await GroundAsync("coffee.png", "the cup");

        Assert.Equal([cat[0], cat[1], cup[0]], await Reviews.QueueAsync("ann", new ReviewQueueFilter()));
        Assert.Equal([cup[0]], await Reviews.QueueAsync("ann", new ReviewQueueFilter { PromptContains = "CUP" }));
        Assert.Empty(await Reviews.QueueAsync("ann", new ReviewQueueFilter { Model = "other" }));
        Assert.Equal(3, (await Reviews.QueueAsync("ann", new ReviewQueueFilter { Uploader = HistoryQuery.AnonymousUser })).Count);
        Assert.Empty(await Reviews.QueueAsync("ann", new ReviewQueueFilter { Uploader = "bob@example.com" }));
        Assert.Empty(await Reviews.QueueAsync("ann", new ReviewQueueFilter { From = DateOnly.FromDateTime(DateTime.UtcNow).AddDays(1) }));

        await Reviews.SubmitAsync(cat[0], "ann", "ann", Verdict.Correct, null);

        Assert.Equal([cat[1], cup[0]], await Reviews.QueueAsync("ann", new ReviewQueueFilter()));
        // Another reviewer still has everything: several people may judge the same prediction.
        Assert.Equal(3, (await Reviews.QueueAsync("bob", new ReviewQueueFilter())).Count);
    }

    [Fact]
    public async Task AFixStoresTheClampedBoxAndItsIouWithTheModelsAndAReviewerCanChangeTheirVerdict()
    {
        var id = (await GroundAsync("chelsea.png", "the cat"))[0];
        var model = (await Reviews.LoadAsync(id))!.Value.Prediction.PixelBox;

        var fix = await Reviews.SubmitAsync(id, "ann", "ann", Verdict.Fixed, new Box(-20, 100, 200, 400));

        Assert.Equal(new Box(0, 100, 200, 300), fix.CorrectedBox);
        Assert.Equal(BoxMath.Iou(model, new Box(0, 100, 200, 300)), fix.IouWithModel!.Value, 6);
        var loaded = (await Reviews.LoadAsync(id))!.Value;
        Assert.Equal(ReviewState.Reviewed, loaded.Prediction.ReviewState);

        await Reviews.SubmitAsync(id, "ann", "ann", Verdict.Correct, null);
        var again = Assert.Single((await Reviews.LoadAsync(id))!.Value.Reviews);
        Assert.Equal(Verdict.Correct, again.Verdict);
        Assert.Null(again.CorrectedBox);
        Assert.Null(again.IouWithModel);
    }

    [Fact]
    public async Task BadVerdictsAreRefusedAndChangeNothing()
    {
        var id = (await GroundAsync("chelsea.png", "the cat"))[0];

        await Assert.ThrowsAsync<ArgumentException>(() => Reviews.SubmitAsync(id, "ann", "ann", Verdict.Fixed, null));
        await Assert.ThrowsAsync<ArgumentException>(() => Reviews.SubmitAsync(id, "ann", "ann", Verdict.Fixed, new Box(500, 500, 600, 600)));
        await Assert.ThrowsAsync<ArgumentException>(() => Reviews.SubmitAsync(id, "ann", "ann", Verdict.Correct, new Box(0, 0, 10, 10)));
        await Assert.ThrowsAsync<ArgumentException>(() => Reviews.SubmitAsync(id, "ann", "ann", (Verdict)42, null));
        await Assert.ThrowsAsync<KeyNotFoundException>(() => Reviews.SubmitAsync(999_999, "ann", "ann", Verdict.Correct, null));
        await Assert.ThrowsAsync<ArgumentException>(() => Reviews.CommentAsync(id, "ann", "ann", "   "));
        await Assert.ThrowsAsync<ArgumentException>(() => Reviews.CommentAsync(id, "ann", "ann", new string('x', 4001)));

        var loaded = (await Reviews.LoadAsync(id))!.Value;
        Assert.Empty(loaded.Reviews);
        Assert.Empty(loaded.Comments);
        Assert.Equal(ReviewState.Unreviewed, loaded.Prediction.ReviewState);
    }

    [Fact]
    public async Task CommentsFormAThreadInOrder()
    {
        var id = (await GroundAsync("chelsea.png", "the cat"))[0];

        await Reviews.CommentAsync(id, "ann", "ann@example.com", "Box cuts the ears off.");
        await Reviews.CommentAsync(id, "bob", "bob@example.com", "  Agreed, fixed it.  ");

        var comments = (await Reviews.LoadAsync(id))!.Value.Comments;
        Assert.Equal(["ann@example.com: Box cuts the ears off.", "bob@example.com: Agreed, fixed it."], comments.Select(c => $"{c.AuthorName}: {c.Text}"));
    }

    [Fact]
    public async Task StatisticsCountAReviewersVerdictsFixesAndAgreementWithOthers()
    {
        var ids = await GroundAsync("chelsea.png", "a", "b", "c", "d");
        await Reviews.SubmitAsync(ids[0], "ann", "ann", Verdict.Correct, null);
        await Reviews.SubmitAsync(ids[1], "ann", "ann", Verdict.Incorrect, null);
        var fix = await Reviews.SubmitAsync(ids[2], "ann", "ann", Verdict.Fixed, new Box(0, 0, 100, 100));
        await Reviews.SubmitAsync(ids[0], "bob", "bob", Verdict.Correct, null);   // agrees with ann
        await Reviews.SubmitAsync(ids[1], "bob", "bob", Verdict.Correct, null);   // disagrees
        await Reviews.SubmitAsync(ids[3], "bob", "bob", Verdict.Correct, null);   // ann did not judge it

        var stats = await Reviews.StatisticsAsync("ann");

        Assert.Equal((3, 1, 1, 1, 3), (stats.Total, stats.Correct, stats.Incorrect, stats.Fixed, stats.Today));
        Assert.Equal(fix.IouWithModel!.Value, stats.MeanIouOfFixes!.Value, 9);
        Assert.Equal(2, stats.SharedWithOthers);
        Assert.Equal(0.5, stats.AgreementWithMajority);
        Assert.Equal(0, (await Reviews.StatisticsAsync("nobody")).Total);
    }

    [Fact]
    public async Task ExportIsAJsonLinesDatasetTheReaderLoadsWithTheAcceptedBoxes()
    {
        // Phrases the demo model finds: a Correct verdict on a rejection would accept "not in this image" instead.
        var ids = await GroundAsync("refshapes-scene.png", "the purple square", "the blue cross", "the blue square on the right");
        var coffee = await GroundAsync("coffee.png", "the cup");
        await Reviews.SubmitAsync(ids[0], "ann", "ann", Verdict.Correct, null);
        await Reviews.SubmitAsync(ids[1], "ann", "ann", Verdict.Fixed, new Box(10, 20, 110, 220));
        await Reviews.SubmitAsync(ids[2], "ann", "ann", Verdict.Incorrect, null);
        // coffee's prediction stays unreviewed.
        var first = (await Reviews.LoadAsync(ids[0]))!.Value.Prediction;
        Assert.True(first.Found == true, "the demo model should find the purple square");
        var modelBox = first.PixelBox;

        using var folder = new TempFolder();
        var zipPath = folder.File("export.zip");
        await using (var zip = File.Create(zipPath))
        {
            Assert.Equal(2, await _scope.ServiceProvider.GetRequiredService<ReviewExport>().WriteZipAsync(zip));
        }
        ZipFile.ExtractToDirectory(zipPath, folder.File("dataset"));
        var read = DatasetReader.Read(folder.File("dataset"), DatasetFormat.Jsonl, ReviewExport.Split);

        Assert.Empty(read.Skipped);
        Assert.Equal(["the purple square", "the blue cross"], read.Samples.Select(s => s.Expression));
        Assert.Equal(modelBox.X1, read.Samples[0].Box.X1, 3);
        Assert.Equal(new Box(10, 20, 110, 220), read.Samples[1].Box);
        Assert.Equal(File.ReadAllBytes(RepositoryPaths.Sample("refshapes-scene.png")), File.ReadAllBytes(read.Samples[1].ImagePath));
        Assert.Single(Directory.GetFiles(folder.File("dataset/images")));
        Assert.DoesNotContain(coffee[0], read.Samples.Select(s => s.AnnotationId!.Value));
    }

    /// <summary>Issue 15: "Not in image" is a correct rejection, exported as a no-target sample (a null box).</summary>
    [Fact]
    public async Task NotInImageIsExportedAsANoTargetSample()
    {
        var ids = await GroundAsync("refshapes-scene.png", "the green star", "the blue square on the right");
        await Reviews.SubmitAsync(ids[0], "ann", "ann", Verdict.NotInImage, null);
        await Reviews.SubmitAsync(ids[0], "bob", "bob", Verdict.NotInImage, null);
        await Reviews.SubmitAsync(ids[1], "ann", "ann", Verdict.Correct, null);

        var (_, reviews, _) = (await Reviews.LoadAsync(ids[0]))!.Value;
        Assert.Equal((2, Verdict.NotInImage), (Agreement.Of(reviews).NotInImage, Agreement.Of(reviews).Majority));
        using var folder = new TempFolder();
        var zipPath = folder.File("export.zip");
        await using (var zip = File.Create(zipPath))
        {
            Assert.Equal(2, await _scope.ServiceProvider.GetRequiredService<ReviewExport>().WriteZipAsync(zip));
        }
        ZipFile.ExtractToDirectory(zipPath, folder.File("dataset"));
        var read = DatasetReader.Read(folder.File("dataset"), DatasetFormat.Jsonl, ReviewExport.Split);

        Assert.Equal([("the green star", false), ("the blue square on the right", true)], read.Samples.Select(s => (s.Expression, s.HasTarget)));
        Assert.Contains("\"box\":null", File.ReadAllText(folder.File($"dataset/{ReviewExport.Split}.jsonl")));
    }

    public void Dispose()
    {
        _scope.Dispose();
        _app.Dispose();
    }
}
