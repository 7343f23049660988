using System.Text.Json;
using GroundingWeb.Data;
using GroundingWeb.Evaluation.Datasets;
using GroundingWeb.Evaluation.RefShapes;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace GroundingWeb.Features.Datasets;

/// <summary>
/// Datasets admins register for evaluation runs. Registration reads the whole folder with the same
/// readers as the CLI and records the samples per split; a folder that yields no samples, or a
/// malformed file, is refused with the reader's message and nothing is stored.
/// </summary>
public sealed class DatasetRegistry(IDbContextFactory<AppDbContext> contexts, IOptions<DataOptions> data, TimeProvider clock, ILogger<DatasetRegistry> logger)
{
    public const string DemoName = "refshapes-demo";

    /// <summary>Seed of the demo split: not the seed the demo head was trained on, so its numbers are honest.</summary>
    public const int DemoSeed = 2026;

    public const int DemoImages = 90;

    public async Task<IReadOnlyList<RegisteredDataset>> ListAsync(CancellationToken cancellationToken = default)
    {
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        return await db.Datasets.AsNoTracking().OrderBy(d => d.Name).ToListAsync(cancellationToken);
    }

    public static IReadOnlyDictionary<string, int> SplitCounts(RegisteredDataset dataset) =>
        JsonSerializer.Deserialize<Dictionary<string, int>>(dataset.SplitCountsJson) ?? [];

    /// <exception cref="ArgumentException">The name, path or format is unusable, or the folder holds no samples.</exception>
    /// <exception cref="InvalidDataException">A file in the folder is malformed (the reader's message names it).</exception>
    public async Task<RegisteredDataset> RegisterAsync(string name, string path, string format, string? imageFolder, string registeredBy,
        CancellationToken cancellationToken = default)
    {
        name = name.Trim();
        if (name.Length is 0 or > 100)
        {
            throw new ArgumentException("Give the dataset a name of 1 to 100 characters.");
        }
        if (!Enum.TryParse<DatasetFormat>(format, ignoreCase: true, out var parsed) || !Enum.IsDefined(parsed))
        {
            throw new ArgumentException($"Unknown format '{format}': use refer, parquet or jsonl.");
        }
        var fullPath = System.IO.Path.GetFullPath(path.Trim());
        if (!Directory.Exists(fullPath) && !File.Exists(fullPath))
        {
            throw new ArgumentException($"{fullPath} does not exist on the server.");
        }
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        if (await db.Datasets.AnyAsync(d => d.Name == name, cancellationToken))
        {
            throw new ArgumentException($"A dataset named '{name}' is registered already.");
        }

        var read = await DatasetReader.ReadAsync(fullPath, parsed, null, string.IsNullOrWhiteSpace(imageFolder) ? null : imageFolder.Trim(), cancellationToken);
        if (read.Samples.Count == 0)
        {
            var why = read.Skipped.Count > 0 ? $" ({read.Skipped.Count} rows skipped, first: {read.Skipped[0].File} row {read.Skipped[0].Row}: {read.Skipped[0].Reason})" : "";
            throw new ArgumentException($"{fullPath} holds no usable {parsed.ToString().ToLowerInvariant()} samples{why}.");
        }
        var counts = read.Samples.GroupBy(s => s.Split).OrderBy(g => g.Key, StringComparer.Ordinal).ToDictionary(g => g.Key, g => g.Count());
        var dataset = new RegisteredDataset
        {
            Name = name, Path = fullPath, Format = parsed.ToString().ToLowerInvariant(),
            ImageFolder = string.IsNullOrWhiteSpace(imageFolder) ? null : imageFolder.Trim(),
            SplitCountsJson = JsonSerializer.Serialize(counts), SkippedCount = read.Skipped.Count,
            RegisteredAt = clock.GetUtcNow(), RegisteredBy = registeredBy,
        };
        db.Datasets.Add(dataset);
        await db.SaveChangesAsync(cancellationToken);
        logger.LogInformation("Registered dataset {Name} ({Format}) at {Path}: {Counts}", name, dataset.Format, fullPath, dataset.SplitCountsJson);
        return dataset;
    }

    /// <summary>
    /// On first start, generates a small RefShapes set (val, testA, testB) in the data folder and
    /// registers it, so an evaluation can be run on a fresh machine with no download.
    /// </summary>
    public async Task EnsureDemoDatasetAsync(CancellationToken cancellationToken = default)
    {
        await using (var db = await contexts.CreateDbContextAsync(cancellationToken))
        {
            if (await db.Datasets.AnyAsync(d => d.Name == DemoName, cancellationToken))
            {
                return;
            }
        }
        var folder = System.IO.Path.Combine(data.Value.FullPath, "datasets", DemoName);
        if (!File.Exists(System.IO.Path.Combine(folder, "dataset.json")))
        {
            await Task.Run(() => RefShapesWriter.Write(folder, new RefShapesOptions(DemoSeed, DemoImages, 1 / 3.0, 1 / 3.0, 1 / 3.0), force: true),
                cancellationToken);
        }
        await RegisterAsync(DemoName, folder, "jsonl", null, "(first start)", cancellationToken);
    }
}
