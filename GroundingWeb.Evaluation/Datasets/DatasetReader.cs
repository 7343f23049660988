namespace GroundingWeb.Evaluation.Datasets;

/// <summary>
/// Reads a RefCOCO-style dataset into samples, one per sentence (DESIGN.md section 5). Rows that
/// cannot be used (image file missing, box of zero or negative size, box more than 1 px outside an
/// image of known size, refs the COCO file does not know) are returned in
/// <see cref="DatasetReadResult.Skipped"/> with file, row and reason; a malformed file (bad pickle,
/// bad JSON line, missing parquet column) throws <see cref="InvalidDataException"/> naming the file
/// and row. Rows are 0-based list/row indexes for pickle and parquet, 1-based line numbers for JSON Lines.
/// </summary>
/// <remarks>
/// <para><b>refer</b>: <c>path</c> is the folder holding refs(unc).p (or another single refs(*).p)
/// and instances.json, or the .p file itself. The expression is the sentence's <c>sent</c> (the
/// toolkit's cleaned lower-case text), or its <c>raw</c> text trimmed when <c>sent</c> is empty.
/// The image is instances.json's file_name for the ref's image_id, in the image folder.</para>
/// <para><b>parquet</b> (Hugging Face jxu124/refcoco): <c>path</c> is a .parquet file or a folder
/// searched recursively (e.g. the repository with data/*.parquet). Splits validation and test
/// become val and testA. Each row's image is looked for in the image folder as image_path, its file
/// name alone, raw_image_info's file_name, then file_name without the _annId suffix.</para>
/// <para><b>Image folder</b> (refer and parquet): the first that exists of the
/// <c>imageFolder</c> argument, the GROUNDINGWEB_IMAGES environment variable, then for refer
/// <c>images/</c>, <c>train2014/</c>, <c>../train2014/</c> and <c>../images/mscoco/images/train2014/</c>
/// beside refs(unc).p (the refer toolkit's data layout), and for parquet <c>images/</c>,
/// <c>../images/</c>, <c>train2014/</c> and <c>../train2014/</c> beside the first parquet file.
/// <see cref="DirectoryNotFoundException"/> lists them when none exists.</para>
/// <para><b>jsonl</b>: <c>path</c> is a .jsonl file or a folder of them (not searched
/// recursively); images are relative to each file's folder, or absolute paths inside it or inside
/// the image folder when one is named (argument or GROUNDINGWEB_IMAGES).</para>
/// <para><b>Every format</b>: an image is used only inside those folders, links resolved, as a regular
/// file under <see cref="DatasetLimits.MaxImageBytes"/>; other rows are skipped with the reason
/// (<see cref="DatasetImages"/>). Dataset files are size-capped before they are read (<see cref="DatasetLimits"/>).</para>
/// </remarks>
public static class DatasetReader
{
    /// <param name="path">The dataset file or folder (see the remarks for each format).</param>
    /// <param name="format">Which layout <paramref name="path"/> holds.</param>
    /// <param name="split">train, val, testA, testB (UNC names, also for parquet); null reads every split.</param>
    /// <param name="cancellationToken">Stops the read between rows.</param>
    /// <exception cref="ArgumentException">The split is not in the dataset; the message lists the splits present.</exception>
    public static DatasetReadResult Read(string path, DatasetFormat format, string? split = null, CancellationToken cancellationToken = default) =>
        Read(path, format, split, imageFolder: null, cancellationToken);

    /// <param name="path">The dataset file or folder (see the remarks for each format).</param>
    /// <param name="format">Which layout <paramref name="path"/> holds.</param>
    /// <param name="split">train, val, testA, testB (UNC names, also for parquet); null reads every split.</param>
    /// <param name="imageFolder">The COCO train2014 image folder for refer and parquet; null looks in the conventional places.</param>
    /// <param name="cancellationToken">Stops the read between rows.</param>
    /// <exception cref="ArgumentException">The split is not in the dataset; the message lists the splits present.</exception>
    public static DatasetReadResult Read(string path, DatasetFormat format, string? split, string? imageFolder, CancellationToken cancellationToken = default)
    {
        var sink = Begin(path, split);
        switch (format)
        {
            case DatasetFormat.Refer:
                ReferDatasetReader.Read(path, imageFolder, sink, cancellationToken);
                break;
            case DatasetFormat.Parquet:
                // Parquet.Net reads asynchronously only; callers on a request or UI thread use ReadAsync.
                ParquetDatasetReader.ReadAsync(path, imageFolder, sink, cancellationToken).GetAwaiter().GetResult();
                break;
            case DatasetFormat.Jsonl:
                JsonLinesDatasetReader.Read(path, imageFolder, sink, cancellationToken);
                break;
            default:
                throw new ArgumentOutOfRangeException(nameof(format), format, "Unknown dataset format.");
        }
        return Finish(path, format, split, sink);
    }

    /// <summary>
    /// <see cref="Read(string, DatasetFormat, string?, string?, CancellationToken)"/> for callers that must not
    /// block a thread: parquet is awaited, refer and JSON Lines (file reads and parsing) run on the thread pool.
    /// </summary>
    public static async Task<DatasetReadResult> ReadAsync(string path, DatasetFormat format, string? split, string? imageFolder,
        CancellationToken cancellationToken = default)
    {
        var sink = Begin(path, split);
        switch (format)
        {
            case DatasetFormat.Refer:
                await Task.Run(() => ReferDatasetReader.Read(path, imageFolder, sink, cancellationToken), cancellationToken).ConfigureAwait(false);
                break;
            case DatasetFormat.Parquet:
                await ParquetDatasetReader.ReadAsync(path, imageFolder, sink, cancellationToken).ConfigureAwait(false);
                break;
            case DatasetFormat.Jsonl:
                await Task.Run(() => JsonLinesDatasetReader.Read(path, imageFolder, sink, cancellationToken), cancellationToken).ConfigureAwait(false);
                break;
            default:
                throw new ArgumentOutOfRangeException(nameof(format), format, "Unknown dataset format.");
        }
        return Finish(path, format, split, sink);
    }

    private static DatasetReadSink Begin(string path, string? split)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        if (split is not null && string.IsNullOrWhiteSpace(split))
        {
            throw new ArgumentException("A split name cannot be blank; pass null to read every split.", nameof(split));
        }
        return new DatasetReadSink(split);
    }

    private static DatasetReadResult Finish(string path, DatasetFormat format, string? split, DatasetReadSink sink)
    {
        if (split is not null && !sink.SplitsSeen.Contains(split))
        {
            throw new ArgumentException(
                $"The {format} dataset at '{path}' has no split '{split}'. Splits present: {(sink.SplitsSeen.Count == 0 ? "none" : string.Join(", ", sink.SplitsSeen))}.",
                nameof(split));
        }

        return sink.ToResult();
    }
}
