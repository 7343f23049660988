using System.Text.Json;
using GroundingWeb.Data;
using GroundingWeb.Features.Datasets;
using GroundingWeb.Features.Evaluations;
using GroundingWeb.Tests.Support;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace GroundingWeb.Tests.Evaluations;

/// <summary>Evaluation runs as background jobs: start, progress, results, cancel, and an app restart.</summary>
public sealed class EvaluationJobTests
{
    internal static async Task<EvaluationRun> WaitForAsync(TestApp app, long runId, Func<EvaluationRun, bool> done, int seconds = 180)
    {
        var queries = app.Services.GetRequiredService<EvaluationQueries>();
        var clock = System.Diagnostics.Stopwatch.StartNew();
        while (clock.Elapsed < TimeSpan.FromSeconds(seconds))
        {
            if (await queries.RunAsync(runId) is { } run && done(run))
            {
                return run;
            }
            await Task.Delay(100);
        }
        throw new TimeoutException($"Run {runId} did not get there in {seconds} s: {(await queries.RunAsync(runId))?.Status}");
    }

    internal static async Task<RegisteredDataset> DemoDatasetAsync(TestApp app) =>
        (await app.Services.GetRequiredService<DatasetRegistry>().ListAsync()).Single(d => d.Name == DatasetRegistry.DemoName);

    [Fact]
    public async Task ARunCompletesWithStoredResultsAndTheSameNumbersAsTheCli()
    {
        using var app = new TestApp();
        _ = app.Client();
        var dataset = await DemoDatasetAsync(app);
        Assert.True(DatasetRegistry.SplitCounts(dataset)["val"] > 20);
        var jobs = app.Services.GetRequiredService<EvaluationJobs>();

        var started = await jobs.StartAsync(RepositoryPaths.DemoBundle, dataset.Id, "val", 20, "tester");
        Assert.Equal((RunStatus.Queued, 20), (started.Status, started.SamplesTotal));
        var run = await WaitForAsync(app, started.Id, r => r.IsFinished);

        Assert.Equal(RunStatus.Completed, run.Status);
        var results = await app.Services.GetRequiredService<EvaluationQueries>().ResultsAsync(run.Id);
        // RefShapes has no-target samples: the box metrics count the others, the presence section all of them.
        var negatives = results.Count(r => !r.HasTarget);
        Assert.InRange(negatives, 1, 19);
        Assert.Equal((20 - negatives, 20, 0, negatives), (run.Count, run.SamplesDone, run.FailedCount, run.NoTargetCount));
        Assert.Equal(Enumerable.Range(0, 20), results.Select(r => r.Row));
        var dashboard = RunAggregations.Dashboard(results);
        Assert.Equal(run.AccuracyAt50, dashboard.Summary.AccuracyAt50);
        Assert.Equal(run.MeanIou, dashboard.Summary.MeanIou, 12);
        Assert.Equal(run.NoTargetAccuracy, dashboard.Presence!.Summary.NoTargetAccuracy);
        Assert.Equal(run.PresenceAuroc, dashboard.Presence.Summary.Auroc);

        using var folder = new TempFolder();
        var cli = CliRunner.Run("evaluate", "--bundle", RepositoryPaths.DemoBundle, "--dataset", dataset.Path, "--format", "jsonl",
            "--split", "val", "--limit", "20", "--provider", "cpu", "--summary", folder.File("summary.json"));
        Assert.Equal(0, cli.ExitCode);
        var summary = JsonDocument.Parse(File.ReadAllText(folder.File("summary.json"))).RootElement.GetProperty("summary");
        Assert.Equal(summary.GetProperty("accuracyAt50").GetDouble(), run.AccuracyAt50, 12);
        Assert.Equal(summary.GetProperty("accuracyAt75").GetDouble(), run.AccuracyAt75, 12);
        Assert.Equal(summary.GetProperty("meanIou").GetDouble(), run.MeanIou, 6);
        Assert.Equal(summary.GetProperty("cocoAp50").GetDouble(), run.CocoAp50, 6);
        var presence = JsonDocument.Parse(File.ReadAllText(folder.File("summary.json"))).RootElement.GetProperty("presence");
        Assert.Equal(presence.GetProperty("noTargetAccuracy").GetDouble(), run.NoTargetAccuracy!.Value, 12);
        Assert.Equal(presence.GetProperty("negatives").GetInt32(), negatives);
    }

    [Fact]
    public async Task BadRunsAreRefusedBeforeTheyAreQueued()
    {
        using var app = new TestApp();
        _ = app.Client();
        var dataset = await DemoDatasetAsync(app);
        var jobs = app.Services.GetRequiredService<EvaluationJobs>();

        await Assert.ThrowsAsync<ArgumentException>(() => jobs.StartAsync("/no/such/bundle", dataset.Id, "val", null, "t"));
        await Assert.ThrowsAsync<ArgumentException>(() => jobs.StartAsync(RepositoryPaths.DemoBundle, 9999, "val", null, "t"));
        var noSplit = await Assert.ThrowsAsync<ArgumentException>(() => jobs.StartAsync(RepositoryPaths.DemoBundle, dataset.Id, "nope", null, "t"));
        Assert.Contains("testB", noSplit.Message);
        await Assert.ThrowsAsync<ArgumentException>(() => jobs.StartAsync(RepositoryPaths.DemoBundle, dataset.Id, "val", 0, "t"));
        Assert.Empty(await app.Services.GetRequiredService<EvaluationQueries>().RunsAsync());
    }

    [Fact]
    public async Task CancellingStopsAQueuedOrRunningRun()
    {
        using var app = new TestApp();
        _ = app.Client();
        // A split large enough (about 1,500 samples) that the run is surely still going when it is cancelled.
        using var large = new TempFolder();
        Assert.Equal(0, CliRunner.Run("synth", "--out", large.Path, "--seed", "5", "--images", "400", "--val-fraction", "0.9",
            "--testa-fraction", "0.05", "--testb-fraction", "0.05").ExitCode);
        var dataset = await app.Services.GetRequiredService<DatasetRegistry>().RegisterAsync("large", large.Path, "jsonl", null, "t");
        var jobs = app.Services.GetRequiredService<EvaluationJobs>();

        var first = await jobs.StartAsync(RepositoryPaths.DemoBundle, dataset.Id, "val", null, "t");
        var second = await jobs.StartAsync(RepositoryPaths.DemoBundle, dataset.Id, "testA", null, "t");
        await WaitForAsync(app, first.Id, r => r.Status == RunStatus.Running && jobs.Progress(r.Id) is { SamplesDone: > 0 });
        Assert.True(await jobs.CancelAsync(second.Id));   // still queued behind the first
        Assert.True(await jobs.CancelAsync(first.Id));    // running

        var cancelled = await WaitForAsync(app, first.Id, r => r.IsFinished);
        Assert.Equal(RunStatus.Cancelled, cancelled.Status);
        Assert.Equal(RunStatus.Cancelled, (await WaitForAsync(app, second.Id, r => r.IsFinished)).Status);
        Assert.Empty(await app.Services.GetRequiredService<EvaluationQueries>().ResultsAsync(first.Id));
        Assert.False(await jobs.CancelAsync(first.Id));
    }

    [Fact]
    public async Task ARestartMarksRunsThatWereRunningAsInterruptedAndRunsTheQueuedOnes()
    {
        using var data = new TempFolder();
        long running, queued;
        using (var before = new TestApp(("Data:Folder", data.Path)))
        {
            _ = before.Client();
            var dataset = await DemoDatasetAsync(before);
            // What a process killed mid-run leaves behind: one row still "running", one still queued.
            using var scope = before.Services.CreateScope();
            var db = scope.ServiceProvider.GetRequiredService<AppDbContext>();
            var runs = new[] { RunStatus.Running, RunStatus.Queued }.Select(status => new EvaluationRun
            {
                BundlePath = RepositoryPaths.DemoBundle, ModelName = "refshapes-demo", ModelVersion = "0.4.0", DatasetId = dataset.Id, Split = "val",
                Limit = 5, Status = status, SamplesTotal = 5, CreatedBy = "t", CreatedAt = DateTimeOffset.UtcNow,
            }).ToList();
            db.EvaluationRuns.AddRange(runs);
            await db.SaveChangesAsync();
            (running, queued) = (runs[0].Id, runs[1].Id);
        }

        using var after = new TestApp(("Data:Folder", data.Path));
        _ = after.Client();

        var interrupted = await WaitForAsync(after, running, r => r.IsFinished);
        Assert.Equal(RunStatus.Interrupted, interrupted.Status);
        Assert.Contains("stopped", interrupted.Error);
        Assert.Equal(RunStatus.Completed, (await WaitForAsync(after, queued, r => r.IsFinished)).Status);
        Assert.Single(await after.Services.GetRequiredService<DatasetRegistry>().ListAsync());
    }

    [Fact]
    public async Task ADatasetNamingANonImageFileFailsThatSampleAndNeverServesTheFile()
    {
        using var app = new TestApp();
        var member = await app.SignedInClientAsync(Roles.Reviewer);
        using var folder = new TempFolder();
        File.WriteAllText(folder.File("secret.txt"), "password hashes would be here");
        File.Copy(RepositoryPaths.Sample("refshapes-scene.png"), folder.File("scene.png"));
        File.WriteAllLines(folder.File("val.jsonl"),
        [
            "{\"image\":\"secret.txt\",\"expression\":\"the secret\",\"box\":[1,1,5,5],\"imageWidth\":10,\"imageHeight\":10}",
            "{\"image\":\"scene.png\",\"expression\":\"the red hexagon\",\"box\":[170,290,250,360]}",
        ]);
        var dataset = await app.Services.GetRequiredService<DatasetRegistry>().RegisterAsync("odd", folder.Path, "jsonl", null, "t");
        var run = await app.Services.GetRequiredService<EvaluationJobs>().StartAsync(RepositoryPaths.DemoBundle, dataset.Id, "val", null, "t");
        run = await WaitForAsync(app, run.Id, r => r.IsFinished);

        Assert.Equal((RunStatus.Completed, 2, 1), (run.Status, run.Count, run.FailedCount));
        var results = await app.Services.GetRequiredService<EvaluationQueries>().ResultsAsync(run.Id);
        Assert.NotNull(results.Single(r => r.Expression == "the secret").Failure);
        Assert.Equal(0f, results.Single(r => r.Expression == "the secret").Iou);
        Assert.Equal(System.Net.HttpStatusCode.NotFound, (await member.GetAsync($"/evaluations/{run.Id}/samples/0/image")).StatusCode);
        var image = await member.GetAsync($"/evaluations/{run.Id}/samples/1/image");
        Assert.Equal("image/jpeg", image.Content.Headers.ContentType?.MediaType);
    }

    /// <summary>A no-target sample has no truth box nor IoU in the downloads (it is not a miss), and both carry presence.</summary>
    [Fact]
    public async Task DownloadsMarkNoTargetSamplesAndCarryPresence()
    {
        using var app = new TestApp();
        var member = await app.SignedInClientAsync(Roles.Reviewer);
        using var folder = new TempFolder();
        File.Copy(RepositoryPaths.Sample("refshapes-scene.png"), folder.File("scene.png"));
        File.WriteAllLines(folder.File("val.jsonl"),
        [
            "{\"image\":\"scene.png\",\"expression\":\"the blue square on the right\",\"box\":[10,10,50,50]}",
            "{\"image\":\"scene.png\",\"expression\":\"the green star\",\"box\":null}",
        ]);
        var dataset = await app.Services.GetRequiredService<DatasetRegistry>().RegisterAsync("negatives", folder.Path, "jsonl", null, "t");
        var run = await app.Services.GetRequiredService<EvaluationJobs>().StartAsync(RepositoryPaths.DemoBundle, dataset.Id, "val", null, "t");
        run = await WaitForAsync(app, run.Id, r => r.IsFinished);
        Assert.Equal((RunStatus.Completed, 1, 1), (run.Status, run.Count, run.NoTargetCount));

        var csv = (await member.GetStringAsync($"/evaluations/{run.Id}/results.csv")).Split('\n', StringSplitOptions.RemoveEmptyEntries);
        var header = csv[0].Split(',');
        string Cell(int line, string column) => csv[line].Split(',')[Array.IndexOf(header, column)];
        Assert.Equal(("true", "false"), (Cell(1, "has_target"), Cell(2, "has_target")));
        Assert.NotEqual("", Cell(1, "truth_x1"));
        Assert.Equal(("", ""), (Cell(2, "truth_x1"), Cell(2, "iou")));
        Assert.NotEqual("", Cell(2, "pred_x1"));
        Assert.InRange(double.Parse(Cell(2, "presence"), System.Globalization.CultureInfo.InvariantCulture), 0, 1);
        Assert.Equal(("true", "false"), (Cell(1, "found"), Cell(2, "found")));

        using var json = JsonDocument.Parse(await member.GetStringAsync($"/evaluations/{run.Id}/results.json"));
        var negative = json.RootElement.GetProperty("results")[1];
        Assert.False(negative.GetProperty("hasTarget").GetBoolean());
        Assert.Equal(JsonValueKind.Null, negative.GetProperty("truth").ValueKind);
        Assert.Equal(JsonValueKind.Null, negative.GetProperty("iou").ValueKind);
        Assert.Equal(JsonValueKind.Number, negative.GetProperty("presence").ValueKind);
        Assert.Equal(1, json.RootElement.GetProperty("presence").GetProperty("negatives").GetInt32());

        // The sample page says there is no target instead of a 0,0,0,0 ground truth.
        var page = await member.GetStringAsync($"/evaluations/{run.Id}/samples/1");
        Assert.Contains("sample-no-target", page);
        Assert.DoesNotContain("Ground truth (green)", page);
        Assert.Contains("Ground truth (green)", await member.GetStringAsync($"/evaluations/{run.Id}/samples/0"));
    }

    [Fact]
    public async Task ResultsNameImagesRelativeToTheDatasetAndAnImageOutsideItIsNeverServed()
    {
        using var app = new TestApp();
        var member = await app.SignedInClientAsync(Roles.Reviewer);
        using var folder = new TempFolder();
        using var outside = new TempFolder();
        Directory.CreateDirectory(folder.File("images"));
        File.Copy(RepositoryPaths.Sample("refshapes-scene.png"), folder.File("images/scene.png"));
        File.Copy(RepositoryPaths.Sample("chelsea.png"), outside.File("private.png"));
        File.WriteAllLines(folder.File("val.jsonl"),
        [
            "{\"image\":\"images/scene.png\",\"expression\":\"the red hexagon\",\"box\":[170,290,250,360]}",
            "{\"image\":\"images/scene.png\",\"expression\":\"the blue square\",\"box\":[10,10,50,50]}",
        ]);
        var dataset = await app.Services.GetRequiredService<DatasetRegistry>().RegisterAsync("relative", folder.Path, "jsonl", null, "t");
        var run = await app.Services.GetRequiredService<EvaluationJobs>().StartAsync(RepositoryPaths.DemoBundle, dataset.Id, "val", null, "t");
        run = await WaitForAsync(app, run.Id, r => r.IsFinished);
        Assert.Equal(RunStatus.Completed, run.Status);

        foreach (var download in new[] { "results.csv", "results.json" })
        {
            var text = await member.GetStringAsync($"/evaluations/{run.Id}/{download}");
            Assert.Contains("images/scene.png", text);
            Assert.DoesNotContain(folder.Path, text);
        }
        Assert.Equal("image/jpeg", (await member.GetAsync($"/evaluations/{run.Id}/samples/0/image")).Content.Headers.ContentType?.MediaType);

        // A stored path that leads outside the folder the run confined it to (a row edited, a link swapped) is not served.
        using (var scope = app.Services.CreateScope())
        {
            var db = scope.ServiceProvider.GetRequiredService<AppDbContext>();
            var row = await db.EvaluationResults.SingleAsync(r => r.RunId == run.Id && r.Row == 1);
            row.ImagePath = outside.File("private.png");
            await db.SaveChangesAsync();
        }
        Assert.Equal(System.Net.HttpStatusCode.NotFound, (await member.GetAsync($"/evaluations/{run.Id}/samples/1/image")).StatusCode);
    }

    /// <summary>Results stored before the ImageRoot column get it from the start-up backfill: their image is served again and named relative to the dataset.</summary>
    [Fact]
    public async Task ResultsFromBeforeImageRootsGetTheirRootBackAtStart()
    {
        using var app = new TestApp();
        var member = await app.SignedInClientAsync(Roles.Reviewer);
        using var folder = new TempFolder();
        Directory.CreateDirectory(folder.File("images"));
        File.Copy(RepositoryPaths.Sample("refshapes-scene.png"), folder.File("images/scene.png"));
        File.WriteAllLines(folder.File("val.jsonl"), ["{\"image\":\"images/scene.png\",\"expression\":\"the red hexagon\",\"box\":[170,290,250,360]}"]);
        var dataset = await app.Services.GetRequiredService<DatasetRegistry>().RegisterAsync("old", folder.Path, "jsonl", null, "t");
        var run = await app.Services.GetRequiredService<EvaluationJobs>().StartAsync(RepositoryPaths.DemoBundle, dataset.Id, "val", null, "t");
        run = await WaitForAsync(app, run.Id, r => r.IsFinished);
        Assert.Equal(RunStatus.Completed, run.Status);

        // As a run from before the column left it.
        using (var scope = app.Services.CreateScope())
        {
            var db = scope.ServiceProvider.GetRequiredService<AppDbContext>();
            await db.EvaluationResults.Where(r => r.RunId == run.Id).ExecuteUpdateAsync(set => set.SetProperty(r => r.ImageRoot, (string?)null));
        }
        Assert.Equal(System.Net.HttpStatusCode.NotFound, (await member.GetAsync($"/evaluations/{run.Id}/samples/0/image")).StatusCode);

        var backfill = ActivatorUtilities.CreateInstance<ImageRootBackfill>(app.Services);
        await backfill.StartAsync(CancellationToken.None);
        await backfill.ExecuteTask!.WaitAsync(TimeSpan.FromSeconds(60));

        Assert.Equal("image/jpeg", (await member.GetAsync($"/evaluations/{run.Id}/samples/0/image")).Content.Headers.ContentType?.MediaType);
        Assert.Contains("images/scene.png", await member.GetStringAsync($"/evaluations/{run.Id}/results.csv"));
    }
}
