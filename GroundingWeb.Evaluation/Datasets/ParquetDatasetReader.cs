using Parquet;
using Parquet.Serialization;

namespace GroundingWeb.Evaluation.Datasets;

/// <summary>
/// Hugging Face jxu124/refcoco parquet files: one row per ref, with its <c>sentences</c> (a list of
/// {raw, sent, sent_id, tokens}), the COCO annotation as the JSON string <c>raw_anns</c> and the
/// image's COCO record as the JSON string <c>raw_image_info</c>. The box comes from raw_anns; the
/// <c>bbox</c> column is checked against it (see <see cref="ParquetRowReader"/>). Splits are renamed
/// to UNC's (validation to val, test to testA). Rows are 0-based across a file's row groups.
/// </summary>
internal static class ParquetDatasetReader
{
    internal static readonly string[] RequiredColumns = ["sentences", "raw_anns"];
    internal static readonly string[] ImageColumns = ["image_path", "raw_image_info", "file_name"];

    public static async Task ReadAsync(string path, string? imageFolder, DatasetReadSink sink, CancellationToken cancellationToken)
    {
        var files = FindFiles(path);
        var parquetFolder = Path.GetDirectoryName(files[0])!;
        var images = ImageFolderLocator.Locate(imageFolder, ImageFolderLocator.ParquetCandidates(parquetFolder), $"the parquet dataset in {parquetFolder}");
        foreach (var file in files)
        {
            await ReadFileAsync(file, images, sink, cancellationToken).ConfigureAwait(false);
        }
    }

    private static List<string> FindFiles(string path)
    {
        if (File.Exists(path))
        {
            return [Path.GetFullPath(path)];
        }

        if (!Directory.Exists(path))
        {
            throw new FileNotFoundException($"No parquet file or folder at '{path}'.", path);
        }

        var files = Directory.GetFiles(path, "*.parquet", SearchOption.AllDirectories).Select(Path.GetFullPath).Order(StringComparer.Ordinal).ToList();
        return files.Count > 0 ? files : throw new FileNotFoundException($"The folder '{path}' holds no *.parquet files (looked in its subfolders too).", path);
    }

    private static async Task ReadFileAsync(string file, string images, DatasetReadSink sink, CancellationToken cancellationToken)
    {
        DatasetLimits.CheckFileSize(file, DatasetLimits.MaxParquetBytes, "a parquet file");
        await using var fileStream = new FileStream(file, FileMode.Open, FileAccess.Read, FileShare.Read, bufferSize: 1 << 16, useAsync: true);
        await using var stream = new EndThrowingStream(fileStream);
        ParquetFooterCheck.Check(stream, file);
        var rowGroups = await CheckSchemaAsync(stream, file, cancellationToken).ConfigureAwait(false);
        var rowReader = new ParquetRowReader(file, images, SplitNames.FromFileName(file), sink);
        var row = 0L;
        for (var group = 0; group < rowGroups; group++)
        {
            stream.Position = 0;
            IList<Dictionary<string, object>> rows;
            try
            {
                rows = (await ParquetSerializer.DeserializeUntypedAsync(stream, rowGroupIndex: group, cancellationToken: cancellationToken).ConfigureAwait(false)).Data;
            }
            catch (Exception e) when (IsUnreadable(e))
            {
                throw new InvalidDataException($"{file} rows from {row} (row group {group}) could not be read: {e.Message}", e);
            }

            foreach (var values in rows)
            {
                cancellationToken.ThrowIfCancellationRequested();
                rowReader.Read(values, row++);
            }
        }
    }

    /// <summary>What Parquet.Net throws for a damaged or foreign file (it wraps column failures in InvalidDataException without the file name).</summary>
    /// Fuzzing found more (Thrift protocol errors, NullReferenceException): any exception Parquet.Net throws on
    /// a file's bytes means the file is damaged, except a cancellation or running out of memory.
    private static bool IsUnreadable(Exception e) => e is not (OperationCanceledException or OutOfMemoryException);

    /// <summary>Checks the columns the reader needs are there; returns the number of row groups.</summary>
    private static async Task<int> CheckSchemaAsync(Stream stream, string file, CancellationToken cancellationToken)
    {
        ParquetReader reader;
        try
        {
            reader = await ParquetReader.CreateAsync(stream, leaveStreamOpen: true, cancellationToken: cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (IsUnreadable(e))
        {
            throw new InvalidDataException($"{file} is not a readable parquet file: {e.Message}", e);
        }

        await using (reader.ConfigureAwait(false))
        {
            HashSet<string> columns;
            try
            {
                columns = reader.Schema.Fields.Select(f => f.Name).ToHashSet(StringComparer.Ordinal);
            }
            catch (Exception e) when (IsUnreadable(e))
            {
                throw new InvalidDataException($"{file} has a schema that cannot be decoded: {e.Message}", e);
            }
            var missing = RequiredColumns.Where(c => !columns.Contains(c)).ToList();
            if (!ImageColumns.Any(columns.Contains))
            {
                missing.Add(string.Join(" or ", ImageColumns));
            }

            return missing.Count == 0
                ? reader.RowGroupCount
                : throw new InvalidDataException(
                    $"{file} lacks the column(s) {string.Join(", ", missing)} the jxu124/refcoco layout has (it has: {string.Join(", ", columns.Order(StringComparer.Ordinal))}).");
        }
    }
}
