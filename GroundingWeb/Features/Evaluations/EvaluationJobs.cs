using GroundingWeb.Features.Datasets;
using System.Collections.Concurrent;
using System.Threading.Channels;
using GroundingWeb.Data;
using GroundingWeb.Components;
using GroundingWeb.Features.Models;
using Microsoft.EntityFrameworkCore;

namespace GroundingWeb.Features.Evaluations;

/// <summary>Live progress of a running evaluation, kept in memory between the database updates.</summary>
public sealed record RunProgress(int SamplesDone, int SamplesTotal);

/// <summary>
/// The queue of evaluation runs: pages enqueue and cancel here, <see cref="EvaluationWorker"/> runs
/// them one at a time (an evaluation already uses every core the encoders get).
/// </summary>
public sealed class EvaluationJobs(IDbContextFactory<AppDbContext> contexts, BundleCatalog catalog, TimeProvider clock)
{
    private readonly Channel<long> _queue = Channel.CreateUnbounded<long>();
    private readonly ConcurrentDictionary<long, RunProgress> _progress = new();
    private readonly ConcurrentDictionary<long, CancellationTokenSource> _running = new();

    internal ChannelReader<long> Queue => _queue.Reader;

    /// <exception cref="ArgumentException">Unknown bundle, dataset or split, or a limit below 1.</exception>
    public async Task<EvaluationRun> StartAsync(string bundlePath, long datasetId, string split, int? limit, string createdBy,
        CancellationToken cancellationToken = default)
    {
        var bundle = catalog.Find(bundlePath);
        if (bundle?.Manifest is null)
        {
            throw new ArgumentException(bundle?.Error ?? $"{bundlePath} is not one of the bundles on the Models page.");
        }
        if (limit is < 1)
        {
            throw new ArgumentException("The sample limit must be at least 1 (or empty for the whole split).");
        }
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        var dataset = await db.Datasets.FirstOrDefaultAsync(d => d.Id == datasetId, cancellationToken)
                      ?? throw new ArgumentException($"Dataset {datasetId} is not registered.");
        var counts = DatasetRegistry.SplitCounts(dataset);
        if (!counts.TryGetValue(split, out var available))
        {
            throw new ArgumentException($"{dataset.Name} has no split '{split}'; it has {string.Join(", ", counts.Keys)}.");
        }
        var run = new EvaluationRun
        {
            BundlePath = bundle.Path, ModelName = bundle.Manifest.Name, ModelVersion = bundle.Manifest.Version, DatasetId = dataset.Id, Split = split,
            Limit = limit, Status = RunStatus.Queued, SamplesTotal = limit is { } n ? Math.Min(n, available) : available,
            CreatedBy = createdBy, CreatedAt = clock.GetUtcNow(),
        };
        db.EvaluationRuns.Add(run);
        await db.SaveChangesAsync(cancellationToken);
        Enqueue(run.Id);
        return run;
    }

    internal void Enqueue(long runId) => _queue.Writer.TryWrite(runId);

    /// <summary>Cancels a queued or running run; returns false when it had finished already.</summary>
    public async Task<bool> CancelAsync(long runId, CancellationToken cancellationToken = default)
    {
        if (_running.TryGetValue(runId, out var running))
        {
            try
            {
                await running.CancelAsync();
                return true;
            }
            catch (ObjectDisposedException)
            {
                // It ended a moment ago; the database below says how.
            }
        }
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        // Only a run still queued changes here; the worker skips it when its turn comes.
        var changed = await db.EvaluationRuns.Where(r => r.Id == runId && r.Status == RunStatus.Queued)
            .ExecuteUpdateAsync(u => u.SetProperty(r => r.Status, RunStatus.Cancelled).SetProperty(r => r.FinishedAt, clock.GetUtcNow()), cancellationToken);
        return changed > 0;
    }

    public RunProgress? Progress(long runId) => _progress.TryGetValue(runId, out var progress) ? progress : null;

    internal void Report(long runId, RunProgress progress) => _progress[runId] = progress;

    internal CancellationTokenSource Began(long runId, CancellationToken stopping)
    {
        var source = CancellationTokenSource.CreateLinkedTokenSource(stopping);
        _running[runId] = source;
        return source;
    }

    internal void Ended(long runId)
    {
        _progress.TryRemove(runId, out _);
        if (_running.TryRemove(runId, out var source))
        {
            source.Dispose();
        }
    }
}
