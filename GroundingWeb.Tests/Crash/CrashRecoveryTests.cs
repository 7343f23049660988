using System.Collections.Concurrent;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using GroundingWeb.Data;
using GroundingWeb.Evaluation.RefShapes;
using GroundingWeb.Tests.Imaging;
using GroundingWeb.Tests.Support;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;

namespace GroundingWeb.Tests.Crash;

/// <summary>
/// Issue 14's crash test: the app as a child process, SIGKILLed while clients upload and an evaluation
/// runs, then started again on the same data folder. Afterwards the database passes
/// <c>PRAGMA integrity_check</c>, every prediction a client was told about is there, no temp file and
/// no image file without its row is left, the run that was going reads Interrupted and the queued one
/// has run.
/// </summary>
[Collection(CrashCollection.Name)]
public sealed class CrashRecoveryTests
{
    private static readonly (string, string)[] Settings =
    [
        ("RateLimit:GroundRequestsPerMinute", "100000"),
        // One instance on its own folder: what is left over at start is nobody's write in progress.
        ("Data:SweepGraceSeconds", "0"),
    ];

    private static DbContextOptions<AppDbContext> Database(string dataFolder) =>
        new DbContextOptionsBuilder<AppDbContext>().UseSqlite($"Data Source={Path.Combine(dataFolder, "groundingweb.db")};Pooling=False").Options;

    private static async Task WaitHealthyAsync(AppProcess app)
    {
        using var client = new HttpClient { BaseAddress = new Uri(app.BaseUrl) };
        for (var i = 0; i < 600; i++)
        {
            if ((await client.GetAsync("/health")).StatusCode == HttpStatusCode.OK)
            {
                return;
            }
            await Task.Delay(200);
        }
        throw new TimeoutException("the app did not become healthy:\n" + app.Output);
    }

    [Fact]
    public async Task KillNineDuringUploadsAndAnEvaluationLosesNothingAcknowledgedAndLeavesNothingBehind()
    {
        using var data = new TempFolder();
        var build = AppFolders.Build;

        // First start: the schema and the demo dataset. Then, with the app down, a dataset long enough to
        // be mid-run when the kill comes and two queued runs on it.
        using (var first = await AppProcess.StartAsync(build, data.Path, settings: Settings))
        {
            await WaitHealthyAsync(first);
        }
        var shapes = Path.Combine(data.Path, "crash-shapes");
        RefShapesWriter.Write(shapes, new RefShapesOptions(7, 240, ValFraction: 1, TestAFraction: 0, TestBFraction: 0), force: true);
        long running, queued;
        await using (var db = new AppDbContext(Database(data.Path)))
        {
            var dataset = new RegisteredDataset
            {
                Name = "crash-shapes", Path = shapes, Format = "jsonl", SplitCountsJson = "{}", RegisteredAt = DateTimeOffset.UtcNow, RegisteredBy = "test",
            };
            db.Datasets.Add(dataset);
            await db.SaveChangesAsync();
            EvaluationRun Run(int? limit) => new()
            {
                BundlePath = RepositoryPaths.DemoBundle, ModelName = "refshapes-demo", ModelVersion = "test", DatasetId = dataset.Id, Split = "val",
                Limit = limit, Status = RunStatus.Queued, CreatedBy = "test", CreatedAt = DateTimeOffset.UtcNow,
            };
            var (whole, small) = (Run(null), Run(5));
            db.EvaluationRuns.AddRange(whole, small);
            await db.SaveChangesAsync();
            (running, queued) = (whole.Id, small.Id);
        }

        // Second start: the whole-split run starts; four clients upload new images without pause; kill -9.
        var acknowledged = new ConcurrentBag<long>();
        using (var second = await AppProcess.StartAsync(build, data.Path, settings: Settings))
        {
            await WaitHealthyAsync(second);
            using var stop = new CancellationTokenSource();
            var uploads = Enumerable.Range(0, 4).Select(client => Task.Run(async () =>
            {
                using var http = new HttpClient { BaseAddress = new Uri(second.BaseUrl) };
                for (var i = 0; !stop.IsCancellationRequested && i < 500; i++)
                {
                    try
                    {
                        var response = await http.PostAsync("/api/v1/ground", Web.GroundApiTests.Form(TestImages.NoisePng(96, 64, client * 1000 + i), "the square"));
                        if (response.StatusCode == HttpStatusCode.OK)
                        {
                            var body = await response.Content.ReadFromJsonAsync<JsonElement>();
                            acknowledged.Add(body.GetProperty("predictions")[0].GetProperty("id").GetInt64());
                        }
                    }
                    catch (HttpRequestException)
                    {
                        return; // the server is gone: the kill happened
                    }
                }
            })).ToList();

            await WaitForAsync(async () => await StatusAsync(data.Path, running) == RunStatus.Running && acknowledged.Count >= 8, TimeSpan.FromMinutes(3));
            second.KillHard();
            await stop.CancelAsync();
            await Task.WhenAll(uploads);
        }
        Assert.NotEmpty(acknowledged);

        // Third start on the same folder.
        using var third = await AppProcess.StartAsync(build, data.Path, settings: Settings);
        await WaitHealthyAsync(third);
        await WaitForAsync(() => Task.FromResult(third.Output.Contains("Data folder sweep:")), TimeSpan.FromMinutes(1));
        await WaitForAsync(async () => await StatusAsync(data.Path, queued) is RunStatus.Completed or RunStatus.Failed, TimeSpan.FromMinutes(3));

        await using var check = new SqliteConnection($"Data Source={Path.Combine(data.Path, "groundingweb.db")};Pooling=False");
        await check.OpenAsync();
        await using (var command = check.CreateCommand())
        {
            command.CommandText = "PRAGMA integrity_check";
            Assert.Equal("ok", (string?)await command.ExecuteScalarAsync());
        }
        await using var after = new AppDbContext(Database(data.Path));
        var present = (await after.Predictions.Select(p => p.Id).ToListAsync()).ToHashSet();
        Assert.All(acknowledged, id => Assert.Contains(id, present));
        Assert.Equal(RunStatus.Interrupted, await StatusAsync(data.Path, running));
        Assert.Equal(RunStatus.Completed, await StatusAsync(data.Path, queued));

        Assert.Empty(Directory.GetFiles(data.Path, "*.tmp", SearchOption.AllDirectories));
        var rows = (await after.Images.Select(i => i.Sha256).ToListAsync()).ToHashSet();
        foreach (var folder in new[] { "images", "thumbs" })
        {
            foreach (var file in Directory.GetFiles(Path.Combine(data.Path, folder), "*", SearchOption.AllDirectories))
            {
                Assert.True(rows.Contains(Path.GetFileNameWithoutExtension(file)), $"{file} has no row: an orphan the sweep left");
            }
        }
        // And every image row still has its file: nothing acknowledged lost its picture.
        Assert.All(await after.Images.ToListAsync(), image =>
            Assert.True(File.Exists(Path.Combine(data.Path, "images", image.Sha256[..2], $"{image.Sha256}.{image.Extension}")), image.Sha256));
    }

    private static async Task<RunStatus?> StatusAsync(string dataFolder, long runId)
    {
        await using var db = new AppDbContext(Database(dataFolder));
        return await db.EvaluationRuns.Where(r => r.Id == runId).Select(r => (RunStatus?)r.Status).FirstOrDefaultAsync();
    }

    private static async Task WaitForAsync(Func<Task<bool>> condition, TimeSpan limit)
    {
        var clock = System.Diagnostics.Stopwatch.StartNew();
        while (!await condition())
        {
            if (clock.Elapsed > limit)
            {
                throw new TimeoutException($"not reached within {limit.TotalSeconds} s");
            }
            await Task.Delay(50);
        }
    }
}

/// <summary>Alone, after the parallel tests: a child app under load beside them would starve both.</summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class CrashCollection
{
    public const string Name = "crash";
}
