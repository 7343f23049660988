using GroundingWeb.Data;
using Microsoft.EntityFrameworkCore;

namespace GroundingWeb.Features.History;

/// <summary>
/// Reads and deletes stored predictions; deleting the last prediction of an image removes its files.
/// Each call uses its own short-lived context: a Blazor circuit lives for minutes and may overlap calls.
/// </summary>
public sealed class HistoryService(IDbContextFactory<AppDbContext> contexts, ImageStore store, ILogger<HistoryService> logger)
{
    public async Task<HistoryResults> SearchAsync(HistoryQuery query, CancellationToken cancellationToken = default)
    {
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        var rows = db.Predictions.AsNoTracking().Filter(query.PromptContains, query.Model, query.User, query.From, query.To);
        if (query.ReviewState is { } state)
        {
            rows = rows.Where(p => p.ReviewState == state);
        }
        var total = await rows.CountAsync(cancellationToken);
        var pageSize = Math.Clamp(query.PageSize, 1, 200);
        var items = await rows.OrderByDescending(p => p.CreatedAt).ThenByDescending(p => p.Id)
            .Skip(Math.Max(0, query.Page) * pageSize).Take(pageSize)
            .ToListAsync(cancellationToken);
        return new HistoryResults(items, total);
    }

    public async Task<PredictionRecord?> FindAsync(long id, CancellationToken cancellationToken = default)
    {
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        return await db.Predictions.AsNoTracking().Include(p => p.Image).Include(p => p.Reviews).FirstOrDefaultAsync(p => p.Id == id, cancellationToken);
    }

    public async Task<IReadOnlyList<string>> ModelNamesAsync(CancellationToken cancellationToken = default)
    {
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        return await db.Predictions.Select(p => p.ModelName).Distinct().OrderBy(n => n).ToListAsync(cancellationToken);
    }

    public async Task<IReadOnlyList<string>> UserNamesAsync(CancellationToken cancellationToken = default)
    {
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        return await db.Predictions.Where(p => p.UserName != null).Select(p => p.UserName!).Distinct().OrderBy(n => n).ToListAsync(cancellationToken);
    }

    /// <summary>Deletes the predictions; images left without any prediction lose their row and files.</summary>
    /// <exception cref="StorageException">The database or the image folder refused the change.</exception>
    public async Task<int> DeleteAsync(IReadOnlyCollection<long> ids, CancellationToken cancellationToken = default)
    {
        try
        {
            return await DeleteRowsAndFilesAsync(ids, cancellationToken);
        }
        catch (Exception ex) when (StorageException.IsStorageFailure(ex))
        {
            logger.LogError(ex, "Deleting {Count} prediction(s) failed.", ids.Count);
            throw new StorageException($"Deleting failed: {ex.Message}", ex);
        }
    }

    private async Task<int> DeleteRowsAndFilesAsync(IReadOnlyCollection<long> ids, CancellationToken cancellationToken)
    {
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        await store.Gate.WaitAsync(cancellationToken);
        try
        {
            var doomed = await db.Predictions.Where(p => ids.Contains(p.Id)).ToListAsync(cancellationToken);
            var hashes = doomed.Select(p => p.ImageSha256).Distinct().ToList();
            db.Predictions.RemoveRange(doomed);
            await db.SaveChangesAsync(cancellationToken);

            var orphans = await db.Images
                .Where(i => hashes.Contains(i.Sha256) && !db.Predictions.Any(p => p.ImageSha256 == i.Sha256))
                .ToListAsync(cancellationToken);
            db.Images.RemoveRange(orphans);
            await db.SaveChangesAsync(CancellationToken.None);
            // Files go only after their rows are gone: a crash in between leaves a file nothing shows, never a row without its file.
            foreach (var image in orphans)
            {
                store.Delete(image.Sha256, image.Extension);
                logger.LogInformation("Removed image {Sha256}: no prediction refers to it any more.", image.Sha256);
            }
            return doomed.Count;
        }
        finally
        {
            store.Gate.Release();
        }
    }
}
