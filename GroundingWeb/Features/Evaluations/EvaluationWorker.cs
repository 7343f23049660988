using System.Diagnostics;
using GroundingWeb.Data;
using GroundingWeb.Inference.Bundles;
using GroundingWeb.Evaluation.Datasets;
using GroundingWeb.Evaluation;
using GroundingWeb.Inference.Pipeline;
using GroundingWeb.Inference.Hosting;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace GroundingWeb.Features.Evaluations;

/// <summary>
/// Runs queued evaluations one at a time in the background with the library's <see cref="Evaluator"/>
/// (the code behind <c>grounding evaluate</c>). At start it marks runs an earlier process left
/// running as Interrupted and picks up the ones still queued.
/// </summary>
public sealed class EvaluationWorker(
    EvaluationJobs jobs, IDbContextFactory<AppDbContext> contexts, GroundingEngine engine, TimeProvider clock, ILoggerFactory loggers) : BackgroundService
{
    private static readonly TimeSpan ProgressSaveInterval = TimeSpan.FromSeconds(2);
    private const long EvaluationCacheBytes = 16L * 1024 * 1024;
    private readonly ILogger _logger = loggers.CreateLogger<EvaluationWorker>();

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        await RecoverAsync(stoppingToken);
        await foreach (var runId in jobs.Queue.ReadAllAsync(stoppingToken))
        {
            try
            {
                await RunAsync(runId, stoppingToken);
            }
            catch (Exception ex) when (ex is not OperationCanceledException || !stoppingToken.IsCancellationRequested)
            {
                _logger.LogError(ex, "Evaluation run {Id} could not be started.", runId);
            }
        }
    }

    internal async Task RecoverAsync(CancellationToken cancellationToken)
    {
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        var interrupted = await db.EvaluationRuns.Where(r => r.Status == RunStatus.Running)
            .ExecuteUpdateAsync(u => u
                .SetProperty(r => r.Status, RunStatus.Interrupted)
                .SetProperty(r => r.FinishedAt, clock.GetUtcNow())
                .SetProperty(r => r.Error, "The app stopped while this run was going; start it again."), cancellationToken);
        if (interrupted > 0)
        {
            _logger.LogWarning("Marked {Count} evaluation run(s) left running by an earlier start as interrupted.", interrupted);
        }
        foreach (var id in await db.EvaluationRuns.Where(r => r.Status == RunStatus.Queued).OrderBy(r => r.Id).Select(r => r.Id).ToListAsync(cancellationToken))
        {
            jobs.Enqueue(id);
        }
    }

    private async Task RunAsync(long runId, CancellationToken stoppingToken)
    {
        await using var db = await contexts.CreateDbContextAsync(stoppingToken);
        var run = await db.EvaluationRuns.Include(r => r.Dataset).FirstOrDefaultAsync(r => r.Id == runId, stoppingToken);
        if (run is null || run.Status != RunStatus.Queued)
        {
            return;
        }
        using var cancel = jobs.Began(runId, stoppingToken);
        // Claimed only if still queued: a cancel that landed after the read above must win.
        var claimed = await db.EvaluationRuns.Where(r => r.Id == runId && r.Status == RunStatus.Queued)
            .ExecuteUpdateAsync(u => u.SetProperty(r => r.Status, RunStatus.Running).SetProperty(r => r.StartedAt, clock.GetUtcNow()), stoppingToken);
        if (claimed == 0)
        {
            jobs.Ended(runId);
            return;
        }
        run.Status = RunStatus.Running;
        try
        {
            var (samples, report) = await Task.Run(() => Evaluate(run, cancel.Token), cancel.Token);
            await StoreAsync(db, run, samples, report);
            _logger.LogInformation("Evaluation run {Id} ({Model} on {Dataset}/{Split}): Acc@0.5 {Accuracy:F4} over {Count} samples.",
                run.Id, run.ModelName, run.Dataset!.Name, run.Split, run.AccuracyAt50, run.Count);
        }
        catch (OperationCanceledException)
        {
            await FinishAsync(run.Id, stoppingToken.IsCancellationRequested ? RunStatus.Interrupted : RunStatus.Cancelled,
                stoppingToken.IsCancellationRequested ? "The app stopped while this run was going; start it again." : "Cancelled.");
        }
        catch (Exception ex)
        {
            // Whatever breaks one run (a runtime error in the model, a full disk) fails that run only:
            // an exception leaving this service would stop the whole app.
            _logger.LogError(ex, "Evaluation run {Id} failed.", run.Id);
            await FinishAsync(run.Id, RunStatus.Failed, ex is BundleException or InvalidDataException or IOException or ArgumentException
                ? ex.Message : $"{ex.GetType().Name}: {ex.Message}");
        }
        finally
        {
            jobs.Ended(runId);
        }
    }

    private (IReadOnlyList<GroundingSample> Samples, EvaluationReport Report) Evaluate(EvaluationRun run, CancellationToken cancellationToken)
    {
        var dataset = run.Dataset!;
        var format = Enum.Parse<DatasetFormat>(dataset.Format, ignoreCase: true);
        var samples = DatasetReader.Read(dataset.Path, format, run.Split, dataset.ImageFolder, cancellationToken).Samples;
        // The first N samples, exactly as `grounding evaluate --limit N` takes them.
        var chosen = run.Limit is { } n ? samples.Take(n).ToList() : samples;
        jobs.Report(run.Id, new RunProgress(0, chosen.Count));

        // The sessions the app already has open for this bundle (or opened for this run), with an
        // image-token cache of its own: evaluation must not evict the live demo's cached images.
        using var pipeline = engine.Acquire(run.BundlePath, EvaluationCacheBytes);
        var lastSave = Stopwatch.StartNew();
        var progress = new InlineProgress<EvaluationProgress>(p =>
        {
            jobs.Report(run.Id, new RunProgress(p.SamplesDone, p.SamplesTotal));
            if (lastSave.Elapsed > ProgressSaveInterval)
            {
                lastSave.Restart();
                _ = SaveProgressAsync(run.Id, p.SamplesDone);
            }
        });
        return (chosen, Evaluator.Run(pipeline, chosen, progress, cancellationToken));
    }

    private async Task SaveProgressAsync(long runId, int done)
    {
        try
        {
            await using var db = await contexts.CreateDbContextAsync();
            await db.EvaluationRuns.Where(r => r.Id == runId && r.Status == RunStatus.Running)
                .ExecuteUpdateAsync(u => u.SetProperty(r => r.SamplesDone, done));
        }
        catch (Exception ex) when (ex is DbUpdateException or Microsoft.Data.Sqlite.SqliteException)
        {
            // Progress in the database is a convenience; the run goes on and its end is saved anyway.
            _logger.LogDebug(ex, "Could not save the progress of run {Id}.", runId);
        }
    }

    private async Task StoreAsync(AppDbContext db, EvaluationRun run, IReadOnlyList<GroundingSample> samples, EvaluationReport report)
    {
        // Rows are the samples' positions in the split; the evaluator reports failures by that position.
        var rowOf = new Dictionary<GroundingSample, int>(ReferenceEqualityComparer.Instance);
        for (var i = 0; i < samples.Count; i++)
        {
            rowOf[samples[i]] = i;
        }
        var failures = report.Failed.ToDictionary(f => (int)f.Row, f => f.Reason);
        var rows = report.Results.Select(r => new EvaluationSampleResult
        {
            RunId = run.Id, Row = rowOf[r.Sample], ImagePath = r.Sample.ImagePath, ImageRoot = r.Sample.ImageRoot, Expression = r.Sample.Expression, Kind = r.Sample.Kind, Category = r.Sample.Category,
            TruthX1 = r.Sample.Box.X1, TruthY1 = r.Sample.Box.Y1, TruthX2 = r.Sample.Box.X2, TruthY2 = r.Sample.Box.Y2,
            PredictedX1 = r.Predicted.X1, PredictedY1 = r.Predicted.Y1, PredictedX2 = r.Predicted.X2, PredictedY2 = r.Predicted.Y2,
            Iou = r.Iou, ImageWidth = r.Sample.ImageWidth, ImageHeight = r.Sample.ImageHeight,
            Failure = failures.GetValueOrDefault(rowOf[r.Sample]),
            HasTarget = r.Sample.HasTarget, Presence = r.Presence, Found = r.Found,
        }).ToList();

        // Results and summary commit together: a run is either complete with all its rows or not complete.
        await using var transaction = await db.Database.BeginTransactionAsync();
        db.EvaluationResults.AddRange(rows);
        run.Status = RunStatus.Completed;
        run.FinishedAt = clock.GetUtcNow();
        run.SamplesDone = report.Results.Count;
        run.SamplesTotal = report.Results.Count;
        run.Count = report.Summary.Count;
        run.MeanIou = report.Summary.MeanIou;
        run.AccuracyAt50 = report.Summary.AccuracyAt50;
        run.AccuracyAt75 = report.Summary.AccuracyAt75;
        run.CocoAp50 = report.Summary.CocoAp50;
        run.CocoAp75 = report.Summary.CocoAp75;
        run.FailedCount = report.Failed.Count;
        run.Seconds = report.Elapsed.TotalSeconds;
        if (report.Presence is { } presence)
        {
            run.NoTargetCount = presence.Negatives;
            run.NoTargetAccuracy = presence.NoTargetAccuracy;
            run.TargetAccuracy = presence.TargetAccuracy;
            run.RejectionPrecision = presence.RejectionPrecision;
            run.PresenceAuroc = presence.Auroc;
        }
        await db.SaveChangesAsync();
        await transaction.CommitAsync();
    }

    private async Task FinishAsync(long runId, RunStatus status, string message)
    {
        try
        {
            await using var db = await contexts.CreateDbContextAsync();
            await db.EvaluationRuns.Where(r => r.Id == runId)
                .ExecuteUpdateAsync(u => u.SetProperty(r => r.Status, status).SetProperty(r => r.FinishedAt, clock.GetUtcNow()).SetProperty(r => r.Error, message));
        }
        catch (Exception ex)
        {
            // The next start marks a run left "running" as interrupted; the worker itself must go on.
            _logger.LogError(ex, "Could not record the end of evaluation run {Id} ({Status}).", runId, status);
        }
    }

    /// <summary>Reports on the evaluating thread, in order (Progress&lt;T&gt; would post to the thread pool).</summary>
    private sealed class InlineProgress<T>(Action<T> report) : IProgress<T>
    {
        public void Report(T value) => report(value);
    }
}
