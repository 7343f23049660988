namespace GroundingWeb.Evaluation.Datasets;

/// <summary>
/// Finds the folder of COCO train2014 images for the refer and parquet layouts. The first that
/// exists wins: the folder the caller names, then <see cref="EnvironmentVariable"/>, then the
/// conventional places next to the dataset (see <see cref="ReferCandidates"/> and
/// <see cref="ParquetCandidates"/>).
/// </summary>
internal static class ImageFolderLocator
{
    public const string EnvironmentVariable = "GROUNDINGWEB_IMAGES";

    /// <summary>Next to refs(unc).p: images/, train2014/, ../train2014/, and the refer toolkit's ../images/mscoco/images/train2014/.</summary>
    public static IEnumerable<string> ReferCandidates(string datasetFolder)
    {
        yield return Path.Combine(datasetFolder, "images");
        yield return Path.Combine(datasetFolder, "train2014");
        yield return Path.Combine(datasetFolder, "..", "train2014");
        yield return Path.Combine(datasetFolder, "..", "images", "mscoco", "images", "train2014");
    }

    /// <summary>Next to the parquet files (or their data/ folder's parent): images/, ../images/, train2014/, ../train2014/.</summary>
    public static IEnumerable<string> ParquetCandidates(string parquetFolder)
    {
        yield return Path.Combine(parquetFolder, "images");
        yield return Path.Combine(parquetFolder, "..", "images");
        yield return Path.Combine(parquetFolder, "train2014");
        yield return Path.Combine(parquetFolder, "..", "train2014");
    }

    /// <summary>The folder the caller names, else <see cref="EnvironmentVariable"/>'s, else null (JSON Lines needs none).</summary>
    public static string? Named(string? explicitFolder, string datasetDescription) =>
        !string.IsNullOrWhiteSpace(explicitFolder) || !string.IsNullOrWhiteSpace(Environment.GetEnvironmentVariable(EnvironmentVariable))
            ? Locate(explicitFolder, [], datasetDescription)
            : null;

    public static string Locate(string? explicitFolder, IEnumerable<string> conventional, string datasetDescription)
    {
        if (!string.IsNullOrWhiteSpace(explicitFolder))
        {
            return Directory.Exists(explicitFolder)
                ? Path.GetFullPath(explicitFolder)
                : throw new DirectoryNotFoundException($"The image folder '{explicitFolder}' given for {datasetDescription} does not exist.");
        }

        var fromEnvironment = Environment.GetEnvironmentVariable(EnvironmentVariable);
        if (!string.IsNullOrWhiteSpace(fromEnvironment))
        {
            return Directory.Exists(fromEnvironment)
                ? Path.GetFullPath(fromEnvironment)
                : throw new DirectoryNotFoundException($"{EnvironmentVariable} names the image folder '{fromEnvironment}', which does not exist.");
        }

        var tried = conventional.Select(Path.GetFullPath).ToList();
        return tried.FirstOrDefault(Directory.Exists)
            ?? throw new DirectoryNotFoundException(
                $"No COCO image folder found for {datasetDescription}. Looked in: {string.Join(", ", tried)}. " +
                $"Put the train2014 images in one of them, set {EnvironmentVariable}, or pass the folder explicitly.");
    }
}
