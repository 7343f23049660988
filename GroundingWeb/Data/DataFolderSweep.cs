using System.Text.RegularExpressions;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace GroundingWeb.Data;

/// <summary>What one sweep removed and what it left for a later one.</summary>
public sealed record SweepResult(int TemporaryFiles, int OrphanImages, int OrphanThumbnails, int KeptAsRecent);

/// <summary>
/// Removes what a killed process leaves in the data folder: the temp files of writes that never reached
/// their rename, and image or thumbnail files no row refers to (the process died between writing the
/// file and committing its row). Only files older than <see cref="DataOptions.SweepGraceSeconds"/> go, so
/// a write in progress, here or on another instance sharing the folder, is never taken from under it;
/// within this process each batch holds <see cref="ImageStore.Gate"/>, like a save does. Files whose names
/// the app never writes are left alone.
/// </summary>
public sealed partial class DataFolderSweep(
    IDbContextFactory<AppDbContext> contexts, ImageStore store, IOptions<DataOptions> options, TimeProvider time, ILogger<DataFolderSweep> logger)
{
    private const int BatchSize = 500;
    private readonly TaskCompletionSource _firstSweep = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>Completes when a sweep has finished once (the one at start, normally).</summary>
    public Task FirstSweep => _firstSweep.Task;

    public async Task<SweepResult> SweepAsync(CancellationToken cancellationToken)
    {
        var data = options.Value;
        var cutoff = time.GetUtcNow().UtcDateTime - TimeSpan.FromSeconds(data.SweepGraceSeconds);
        var kept = 0;

        var temporary = 0;
        foreach (var file in Files(data.FullPath).Where(f => LeftoverName().IsMatch(Path.GetFileName(f))))
        {
            if (TryDeleteIfOlder(file, cutoff, ref kept))
            {
                temporary++;
            }
        }
        var images = await SweepOrphansAsync(data.ImagesPath, cutoff, cancellationToken);
        var thumbnails = await SweepOrphansAsync(data.ThumbnailsPath, cutoff, cancellationToken);
        var result = new SweepResult(temporary, images.Removed, thumbnails.Removed, kept + images.Kept + thumbnails.Kept);
        logger.LogInformation(
            "Data folder sweep: removed {Temporary} temporary file(s), {Images} image file(s) and {Thumbnails} thumbnail(s) no row refers to; kept {Kept} younger than {Grace} s.",
            result.TemporaryFiles, result.OrphanImages, result.OrphanThumbnails, result.KeptAsRecent, data.SweepGraceSeconds);
        _firstSweep.TrySetResult();
        return result;
    }

    private async Task<(int Removed, int Kept)> SweepOrphansAsync(string folder, DateTime cutoff, CancellationToken cancellationToken)
    {
        var stored = Files(folder)
            .Select(path => (Path: path, Match: StoredName().Match(Path.GetFileName(path))))
            .Where(file => file.Match.Success)
            .Select(file => (file.Path, Sha256: file.Match.Groups[1].Value));
        int removed = 0, kept = 0;
        foreach (var batch in stored.Chunk(BatchSize))
        {
            var hashes = batch.Select(file => file.Sha256).Distinct().ToList();
            await store.Gate.WaitAsync(cancellationToken);
            try
            {
                await using var db = await contexts.CreateDbContextAsync(cancellationToken);
                var referenced = (await db.Images.Where(image => hashes.Contains(image.Sha256)).Select(image => image.Sha256)
                    .ToListAsync(cancellationToken)).ToHashSet();
                foreach (var file in batch.Where(file => !referenced.Contains(file.Sha256)))
                {
                    if (TryDeleteIfOlder(file.Path, cutoff, ref kept))
                    {
                        removed++;
                    }
                }
            }
            finally
            {
                store.Gate.Release();
            }
        }
        return (removed, kept);
    }

    private bool TryDeleteIfOlder(string path, DateTime cutoff, ref int kept)
    {
        try
        {
            if (File.GetLastWriteTimeUtc(path) > cutoff)
            {
                kept++;
                return false;
            }
            File.Delete(path);
            return true;
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            logger.LogWarning("The sweep could not remove {File}: {Reason}", path, ex.Message);
            return false;
        }
    }

    private static IEnumerable<string> Files(string folder) =>
        Directory.Exists(folder)
            ? Directory.EnumerateFiles(folder, "*", new EnumerationOptions { RecurseSubdirectories = true, AttributesToSkip = 0, IgnoreInaccessible = true })
            : [];

    // AtomicFile's temp files (.name.pid.guid.tmp) and the write probes of start-up and /health.
    [GeneratedRegex(@"^(\..+\.\d+\.[0-9a-f]{32}\.tmp|\.write-test-[0-9a-f]{32}|\.health-[0-9a-f]{32}\.probe)$")]
    private static partial Regex LeftoverName();

    // What ImageStore writes: the SHA-256 and the extension.
    [GeneratedRegex(@"^([0-9a-f]{64})\.[a-z0-9]{1,5}$")]
    private static partial Regex StoredName();
}

/// <summary>Runs the sweep as the app starts, then every <see cref="DataOptions.SweepIntervalMinutes"/> (0: only at start).</summary>
internal sealed class DataFolderSweeper(DataFolderSweep sweep, IOptions<DataOptions> options, ILogger<DataFolderSweeper> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await sweep.SweepAsync(stoppingToken);
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                // A sweep that fails (database locked, folder unreadable) is retried next time; serving goes on.
                logger.LogError(ex, "The data folder sweep failed.");
            }
            var interval = options.Value.SweepIntervalMinutes;
            if (interval <= 0)
            {
                return;
            }
            await Task.Delay(TimeSpan.FromMinutes(interval), stoppingToken);
        }
    }
}
