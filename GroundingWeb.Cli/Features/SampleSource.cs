using System.Text.Json;
using GroundingWeb.Inference.Datasets;
using GroundingWeb.Inference.Geometry;

namespace GroundingWeb.Cli.Features;

/// <summary>
/// Reads the samples of one split. JSON Lines is read here; refer and parquet go through the shared
/// dataset reader once it is merged (swap the body of <see cref="Read"/> for <c>DatasetReader.Read</c>).
/// </summary>
internal static class SampleSource
{
    private static readonly JsonSerializerOptions JsonOptions = new(JsonSerializerDefaults.Web);

    public static IReadOnlyList<GroundingSample> Read(string path, DatasetFormat format, string split) => format switch
    {
        DatasetFormat.Jsonl => ReadJsonLines(path, split),
        _ => throw new InvalidOperationException(
            $"--format {format.ToString().ToLowerInvariant()} needs the shared dataset reader (DatasetReader), which this build lacks; convert the split to JSON Lines or use a build that has it."),
    };

    /// <summary><paramref name="path"/> is a .jsonl file or a folder holding <c>SPLIT.jsonl</c>.</summary>
    public static IReadOnlyList<GroundingSample> ReadJsonLines(string path, string split)
    {
        var file = Directory.Exists(path) ? Path.Combine(path, split + ".jsonl") : path;
        if (!File.Exists(file))
        {
            throw new FileNotFoundException($"Dataset file '{file}' does not exist.");
        }
        var folder = Path.GetDirectoryName(Path.GetFullPath(file))!;
        var fileSplit = Path.GetFileNameWithoutExtension(file);
        var samples = new List<GroundingSample>();
        var row = 0;
        foreach (var line in File.ReadLines(file))
        {
            row++;
            if (string.IsNullOrWhiteSpace(line))
            {
                continue;
            }
            JsonLinesRecord record;
            try
            {
                record = JsonSerializer.Deserialize<JsonLinesRecord>(line, JsonOptions)
                    ?? throw new InvalidDataException($"{file}:{row}: the line is not a JSON object.");
            }
            catch (JsonException ex)
            {
                throw new InvalidDataException($"{file}:{row}: {ex.Message}", ex);
            }
            var recordSplit = record.Split ?? fileSplit;
            if (recordSplit != split)
            {
                continue;
            }
            if (record.Box is not { Length: 4 })
            {
                throw new InvalidDataException($"{file}:{row}: 'box' must hold four numbers.");
            }
            var b = record.Box;
            var box = record.BoxFormat switch
            {
                "xyxy" => new Box((float)b[0], (float)b[1], (float)b[2], (float)b[3]),
                "xywh" => new Box((float)b[0], (float)b[1], (float)(b[0] + b[2]), (float)(b[1] + b[3])),
                _ => throw new InvalidDataException($"{file}:{row}: boxFormat '{record.BoxFormat}' is neither xyxy nor xywh."),
            };
            samples.Add(new GroundingSample
            {
                ImagePath = Path.GetFullPath(Path.Combine(folder, record.Image)),
                Expression = record.Expression,
                Box = box,
                Split = recordSplit,
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
        return samples;
    }
}
