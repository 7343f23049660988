namespace GroundingWeb.Evaluation.Datasets;

/// <summary>
/// Caps every reader checks before it reads (file sizes) or while it reads (line length, sample count),
/// so a hostile or broken file is refused with a message instead of exhausting memory. Generous for
/// real data: RefCOCO's refs(unc).p is 42 MB, its instances.json 80 MB, a COCO image about 160 KB.
/// </summary>
public static class DatasetLimits
{
    public const long MaxPickleBytes = 256L << 20;
    public const long MaxJsonBytes = 1L << 30;
    public const long MaxJsonLinesBytes = 2L << 30;
    public const long MaxParquetBytes = 2L << 30;
    public const long MaxImageBytes = 64L << 20;

    /// <summary>Characters in one JSON Lines line: a record is a few hundred.</summary>
    public const int MaxLineCharacters = 1 << 20;

    /// <summary>Samples one read may return (RefCOCO, RefCOCO+ and RefCOCOg together have about 400,000).</summary>
    public const int MaxSamples = 5_000_000;

    /// <summary>Throws <see cref="InvalidDataException"/> when <paramref name="path"/> is larger than <paramref name="limit"/>.</summary>
    public static void CheckFileSize(string path, long limit, string what)
    {
        var length = new FileInfo(path).Length;
        if (length > limit)
        {
            throw new InvalidDataException($"{path} is {Megabytes(length)}, over the {Megabytes(limit)} limit for {what}.");
        }
    }

    internal static string Megabytes(long bytes) => $"{bytes / 1048576.0:0.#} MB";
}
