using GroundingWeb.Shared;
using System.Text.Json;
using GroundingWeb.Inference.Geometry;

namespace GroundingWeb.Evaluation.Datasets;

/// <summary>
/// Our JSON Lines layout (<see cref="JsonLinesRecord"/>): a .jsonl file or a folder of them. Images
/// are relative to the .jsonl file's folder (or absolute) and must lie inside it or inside the image
/// folder named for the dataset (<see cref="DatasetImages"/>); a line without <c>split</c> takes the
/// file's name (val.jsonl holds val). Blank lines are allowed; rows are 1-based line numbers.
/// </summary>
internal static class JsonLinesDatasetReader
{
    private static readonly JsonSerializerOptions Options = GroundingJson.Compact;

    public static void Read(string path, DatasetReadSink sink, CancellationToken cancellationToken) => Read(path, null, sink, cancellationToken);

    /// <param name="imageFolder">A folder the lines may also take images from (absolute paths into it), besides the file's own.</param>
    public static void Read(string path, string? imageFolder, DatasetReadSink sink, CancellationToken cancellationToken)
    {
        var named = ImageFolderLocator.Named(imageFolder, $"the JSON Lines dataset at {path}");
        foreach (var file in FindFiles(path))
        {
            ReadFile(file, named, sink, cancellationToken);
        }
    }

    private static IEnumerable<string> FindFiles(string path)
    {
        if (File.Exists(path))
        {
            return [Path.GetFullPath(path)];
        }

        if (!Directory.Exists(path))
        {
            throw new FileNotFoundException($"No JSON Lines file or folder at '{path}'.", path);
        }

        var files = Directory.GetFiles(path, "*.jsonl").Select(Path.GetFullPath).Order(StringComparer.Ordinal).ToList();
        return files.Count > 0 ? files : throw new FileNotFoundException($"The folder '{path}' holds no *.jsonl files.", path);
    }

    private static void ReadFile(string file, string? imageFolder, DatasetReadSink sink, CancellationToken cancellationToken)
    {
        DatasetLimits.CheckFileSize(file, DatasetLimits.MaxJsonLinesBytes, "a JSON Lines file");
        var folder = Path.GetDirectoryName(file)!;
        var splitFromName = SplitNames.FromFileName(file);
        string[] roots = imageFolder is null ? [folder] : [folder, imageFolder];
        using var reader = new BoundedLineReader(File.OpenRead(file), DatasetLimits.MaxLineCharacters, file);
        var lineNumber = 0L;
        while (reader.ReadLine() is { } line)
        {
            lineNumber++;
            cancellationToken.ThrowIfCancellationRequested();
            if (string.IsNullOrWhiteSpace(line))
            {
                continue;
            }

            var record = Parse(line, file, lineNumber);
            var split = string.IsNullOrEmpty(record.Split) ? splitFromName : record.Split;
            if (!sink.Wants(split))
            {
                continue;
            }

            var box = record.Box is null ? default : ToBox(record.Box, record.BoxFormat, file, lineNumber);
            var imagePath = Path.GetFullPath(Path.Combine(folder, record.Image));
            var problem = DatasetImages.Problem(imagePath, roots, out var root) ?? (record.Box is null ? null : SampleChecks.CheckBox(box, record.ImageWidth, record.ImageHeight));
            if (problem is not null)
            {
                sink.Skip(file, lineNumber, problem);
                continue;
            }

            sink.Add(new GroundingSample
            {
                ImagePath = imagePath,
                ImageRoot = root,
                Expression = record.Expression,
                Box = box,
                HasTarget = record.Box is not null,
                Split = split,
                Category = record.Category,
                Kind = record.Kind,
                ImageId = record.ImageId,
                RefId = record.RefId,
                AnnotationId = record.AnnotationId,
                SentenceId = record.SentenceId,
                ImageWidth = record.ImageWidth,
                ImageHeight = record.ImageHeight,
            });
        }
    }

    private static JsonLinesRecord Parse(string line, string file, long lineNumber)
    {
        JsonLinesRecord? record;
        try
        {
            record = JsonSerializer.Deserialize<JsonLinesRecord>(line, Options);
        }
        catch (JsonException e)
        {
            throw new InvalidDataException($"{file} line {lineNumber}: not a valid record: {e.Message}", e);
        }

        if (record is null || string.IsNullOrEmpty(record.Image) || record.Expression is null)
        {
            throw new InvalidDataException($"{file} line {lineNumber}: a record needs 'image', 'expression' and 'box' (null for an expression that refers to nothing).");
        }

        return record;
    }

    private static Box ToBox(double[] b, string boxFormat, string file, long lineNumber)
    {
        if (b.Length != 4)
        {
            throw new InvalidDataException($"{file} line {lineNumber}: 'box' has {b.Length} numbers, not 4.");
        }

        return boxFormat switch
        {
            "xyxy" => new Box((float)b[0], (float)b[1], (float)b[2], (float)b[3]),
            "xywh" => Box.FromXywh((float)b[0], (float)b[1], (float)b[2], (float)b[3]),
            _ => throw new InvalidDataException($"{file} line {lineNumber}: boxFormat '{boxFormat}' is neither 'xyxy' nor 'xywh'."),
        };
    }
}
