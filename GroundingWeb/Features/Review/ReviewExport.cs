using System.IO.Compression;
using System.Text;
using System.Text.Json;
using GroundingWeb.Data;
using GroundingWeb.Evaluation.Datasets;
using GroundingWeb.Shared;
using Microsoft.EntityFrameworkCore;

namespace GroundingWeb.Features.Review;

/// <summary>
/// Reviewed predictions as a dataset the CLI reads directly: a zip with <c>reviewed.jsonl</c> (our
/// JSON Lines layout: image, expression, accepted or corrected box, split "reviewed") and the images
/// under <c>images/</c>. Unzip it and run
/// <c>grounding evaluate --dataset folder --format jsonl --split reviewed</c>.
/// </summary>
public sealed class ReviewExport(IDbContextFactory<AppDbContext> contexts, ImageStore store, ILogger<ReviewExport> logger)
{
    public const string Split = "reviewed";

    public async Task<int> WriteZipAsync(Stream output, CancellationToken cancellationToken = default)
    {
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        var predictions = await db.Predictions.AsNoTracking().Include(p => p.Image).Include(p => p.Reviews)
            .Where(p => p.Reviews.Any()).OrderBy(p => p.Id).ToListAsync(cancellationToken);

        using var zip = new ZipArchive(output, ZipArchiveMode.Create, leaveOpen: true);
        var lines = new StringBuilder();
        var images = new HashSet<string>();
        var count = 0;
        foreach (var prediction in predictions)
        {
            var box = Agreement.AcceptedBox(prediction, prediction.Reviews);
            var noTarget = Agreement.IsNoTarget(prediction, prediction.Reviews);
            if (box is null && !noTarget)
            {
                continue;
            }
            var image = prediction.Image!;
            var name = $"images/{image.Sha256}.{image.Extension}";
            var source = store.PathOf(image.Sha256, image.Extension);
            if (!File.Exists(source))
            {
                // A sample without its image would break the dataset; leave it out rather than fail the export.
                logger.LogWarning("Export skips prediction {Id}: its image file {Path} is missing.", prediction.Id, source);
                continue;
            }
            if (images.Add(name))
            {
                var entry = zip.CreateEntry(name, CompressionLevel.NoCompression);
                await using var target = await entry.OpenAsync(cancellationToken);
                await using var file = File.OpenRead(source);
                await file.CopyToAsync(target, cancellationToken);
            }
            var record = new JsonLinesRecord
            {
                // "Not in image" leaves as a no-target sample: a null box.
                Image = name, Expression = prediction.Prompt, Box = box is { } b ? [b.X1, b.Y1, b.X2, b.Y2] : null, BoxFormat = "xyxy", Split = Split,
                Kind = Agreement.Of(prediction.Reviews).Majority!.Value.ToString().ToLowerInvariant(),
                ImageWidth = image.Width, ImageHeight = image.Height, AnnotationId = prediction.Id,
            };
            lines.AppendLine(JsonSerializer.Serialize(record, GroundingJson.Compact));
            count++;
        }
        var jsonl = zip.CreateEntry($"{Split}.jsonl");
        await using (var writer = new StreamWriter(await jsonl.OpenAsync(cancellationToken), new UTF8Encoding(false)))
        {
            await writer.WriteAsync(lines.ToString());
        }
        return count;
    }
}
