using GroundingWeb.Data;
using GroundingWeb.Evaluation.Datasets;
using Microsoft.EntityFrameworkCore;

namespace GroundingWeb.Features.Evaluations;

/// <summary>
/// Gives results stored before <see cref="EvaluationSampleResult.ImageRoot"/> existed the folder their
/// image is confined to: without it their sample image is not served and results files name the image
/// by its file name alone. Once at start, each dataset such results come from is read again, and a
/// result takes the root the reader gives the same image path now (a path the reader no longer accepts,
/// outside the dataset's folders for one, stays without a root and unserved). A dataset that cannot be
/// read is logged and left for the next start.
/// </summary>
public sealed class ImageRootBackfill(IDbContextFactory<AppDbContext> contexts, ILogger<ImageRootBackfill> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        List<RegisteredDataset> datasets;
        await using (var db = await contexts.CreateDbContextAsync(stoppingToken))
        {
            var ids = await db.EvaluationResults.Where(r => r.ImageRoot == null)
                .Join(db.EvaluationRuns, r => r.RunId, run => run.Id, (_, run) => run.DatasetId)
                .Distinct().ToListAsync(stoppingToken);
            datasets = await db.Datasets.AsNoTracking().Where(d => ids.Contains(d.Id)).ToListAsync(stoppingToken);
        }
        foreach (var dataset in datasets)
        {
            try
            {
                var filled = await BackfillAsync(dataset, stoppingToken);
                logger.LogInformation("Results of dataset {Dataset} from before image roots were stored: {Filled} now name the folder their image lies in.", dataset.Name, filled);
            }
            catch (Exception ex) when (ex is IOException or InvalidDataException or UnauthorizedAccessException or ArgumentException)
            {
                logger.LogWarning("Results of dataset {Dataset} keep no image root: the dataset could not be read again ({Reason}).", dataset.Name, ex.Message);
            }
        }
    }

    private async Task<int> BackfillAsync(RegisteredDataset dataset, CancellationToken cancellationToken)
    {
        var format = Enum.Parse<DatasetFormat>(dataset.Format, ignoreCase: true);
        var samples = (await DatasetReader.ReadAsync(dataset.Path, format, split: null, dataset.ImageFolder, cancellationToken)).Samples;
        var rootOf = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var sample in samples.Where(s => s.ImageRoot is not null))
        {
            rootOf.TryAdd(sample.ImagePath, sample.ImageRoot!);
        }

        var filled = 0;
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        var runs = await db.EvaluationRuns.Where(r => r.DatasetId == dataset.Id).Select(r => r.Id).ToListAsync(cancellationToken);
        var paths = await db.EvaluationResults.Where(r => runs.Contains(r.RunId) && r.ImageRoot == null)
            .Select(r => r.ImagePath).Distinct().ToListAsync(cancellationToken);
        foreach (var byRoot in paths.Where(rootOf.ContainsKey).GroupBy(path => rootOf[path]))
        {
            foreach (var chunk in byRoot.Chunk(500))
            {
                filled += await db.EvaluationResults
                    .Where(r => runs.Contains(r.RunId) && r.ImageRoot == null && chunk.Contains(r.ImagePath))
                    .ExecuteUpdateAsync(set => set.SetProperty(r => r.ImageRoot, byRoot.Key), cancellationToken);
            }
        }
        return filled;
    }
}
