using System.Collections;
using System.Text.Json;
using GroundingWeb.Inference.Geometry;

namespace GroundingWeb.Evaluation.Datasets;

/// <summary>
/// Turns one jxu124/refcoco row into samples, one per sentence. The box is raw_anns' COCO xywh; a
/// <c>bbox</c> column that agrees with it (within 1 px) neither as xywh nor as xyxy skips the row,
/// since then one of the two is wrong and nothing says which. The image is looked for under the
/// image folder as image_path, then raw_image_info's file_name, then file_name without the refer
/// toolkit's _annId suffix.
/// </summary>
internal sealed class ParquetRowReader(string file, string imageFolder, string splitFromFileName, DatasetReadSink sink)
{
    private const double BboxTolerance = 1.0;

    public void Read(IDictionary<string, object> row, long rowNumber)
    {
        var split = SplitNames.FromParquet(ParquetValues.Text(ParquetValues.Get(row, "split")) is { Length: > 0 } s ? s : splitFromFileName);
        if (!sink.Wants(split))
        {
            return;
        }

        using var annotation = ParseJson(row, "raw_anns", rowNumber) ?? throw Malformed(rowNumber, "has no raw_anns");
        using var imageInfo = ParseJson(row, "raw_image_info", rowNumber);
        var ann = annotation.RootElement;
        var xywh = ann.TryGetProperty("bbox", out var bboxElement) && bboxElement.ValueKind == JsonValueKind.Array
            ? bboxElement.EnumerateArray().Where(e => e.ValueKind == JsonValueKind.Number).Select(e => e.GetDouble()).ToArray()
            : [];
        if (xywh.Length != 4)
        {
            throw Malformed(rowNumber, "has a raw_anns without a four-number 'bbox'");
        }

        if (BboxDisagreement(xywh, ParquetValues.Doubles(ParquetValues.Get(row, "bbox"))) is { } disagreement)
        {
            sink.Skip(file, rowNumber, disagreement);
            return;
        }

        var info = imageInfo?.RootElement;
        var width = info is { } i1 ? (int?)ParquetValues.Integer(i1, "width") : null;
        var height = info is { } i2 ? (int?)ParquetValues.Integer(i2, "height") : null;
        var annId = ParquetValues.Long(ParquetValues.Get(row, "ann_id")) ?? ParquetValues.Integer(ann, "id");
        var imagePath = FindImage(row, info, annId, out var tried);
        var box = Box.FromXywh((float)xywh[0], (float)xywh[1], (float)xywh[2], (float)xywh[3]);
        var problem = (imagePath is null ? $"image file not found: {string.Join(" or ", tried)}" : null)
            ?? SampleChecks.CheckImage(imagePath!, imageFolder) ?? SampleChecks.CheckBox(box, width, height);
        if (problem is not null)
        {
            sink.Skip(file, rowNumber, problem);
            return;
        }

        var categoryId = ParquetValues.Long(ParquetValues.Get(row, "category_id")) ?? ParquetValues.Integer(ann, "category_id");
        var imageId = ParquetValues.Long(ParquetValues.Get(row, "image_id")) ?? ParquetValues.Integer(ann, "image_id");
        var refId = ParquetValues.Long(ParquetValues.Get(row, "ref_id"));
        var sentences = ParquetValues.Get(row, "sentences") as IList;
        if (sentences is null || sentences.Count == 0)
        {
            sink.Skip(file, rowNumber, "the row has no sentences");
            return;
        }

        foreach (var item in sentences)
        {
            var sentence = item as IDictionary<string, object> ?? throw Malformed(rowNumber, "has a sentence that is not a struct");
            var sentId = ParquetValues.Long(ParquetValues.Get(sentence, "sent_id"));
            var text = ReferDatasetReader.ExpressionText(ParquetValues.Text(ParquetValues.Get(sentence, "sent")), ParquetValues.Text(ParquetValues.Get(sentence, "raw")));
            if (text is null)
            {
                sink.Skip(file, rowNumber, $"sentence {sentId} has neither 'sent' nor 'raw' text");
                continue;
            }

            sink.Add(new GroundingSample
            {
                ImagePath = imagePath!,
                ImageRoot = imageFolder,
                Expression = text,
                Box = box,
                Split = split,
                Category = CocoCategories.Name(categoryId),
                ImageId = imageId,
                RefId = refId,
                AnnotationId = annId,
                SentenceId = sentId,
                ImageWidth = width,
                ImageHeight = height,
            });
        }
    }

    /// <summary>Null when <paramref name="bbox"/> is absent or matches raw_anns as xywh or as xyxy; else the skip reason.</summary>
    internal static string? BboxDisagreement(double[] rawXywh, double[]? bbox)
    {
        if (bbox is null)
        {
            return null;
        }

        double[] rawXyxy = [rawXywh[0], rawXywh[1], rawXywh[0] + rawXywh[2], rawXywh[1] + rawXywh[3]];
        return bbox.Length == 4 && (Close(bbox, rawXywh) || Close(bbox, rawXyxy))
            ? null
            : $"bbox column {SampleChecks.Describe(bbox)} disagrees with raw_anns bbox (xywh) {SampleChecks.Describe(rawXywh)} " +
              $"read as xywh or as xyxy {SampleChecks.Describe(rawXyxy)} by more than {BboxTolerance} px";

        static bool Close(double[] a, double[] b) => a.Zip(b).All(p => Math.Abs(p.First - p.Second) <= BboxTolerance);
    }

    private string? FindImage(IDictionary<string, object> row, JsonElement? info, long? annId, out List<string> tried)
    {
        tried = [];
        foreach (var relative in ImageNames(row, info, annId))
        {
            var candidate = Path.GetFullPath(Path.Combine(imageFolder, relative));
            if (tried.Contains(candidate))
            {
                continue;
            }

            // The first candidate that exists inside the image folder: a name leading out of it is passed over.
            if (File.Exists(candidate) && DatasetImages.Problem(candidate, imageFolder) is null)
            {
                return candidate;
            }

            tried.Add(candidate);
        }

        if (tried.Count == 0)
        {
            tried.Add("(the row names no image: image_path, raw_image_info and file_name are all empty)");
        }

        return null;
    }

    private static IEnumerable<string> ImageNames(IDictionary<string, object> row, JsonElement? info, long? annId)
    {
        if (ParquetValues.Text(ParquetValues.Get(row, "image_path")) is { Length: > 0 } imagePath)
        {
            yield return imagePath;
            yield return Path.GetFileName(imagePath);
        }

        if (info is { } i && ParquetValues.String(i, "file_name") is { Length: > 0 } infoName)
        {
            yield return infoName;
        }

        if (ParquetValues.Text(ParquetValues.Get(row, "file_name")) is { Length: > 0 } fileName)
        {
            var stem = Path.GetFileNameWithoutExtension(fileName);
            var suffix = $"_{annId}";
            yield return annId is not null && stem.EndsWith(suffix, StringComparison.Ordinal)
                ? stem[..^suffix.Length] + Path.GetExtension(fileName)
                : fileName;
        }
    }

    private JsonDocument? ParseJson(IDictionary<string, object> row, string column, long rowNumber)
    {
        if (ParquetValues.Text(ParquetValues.Get(row, column)) is not { Length: > 0 } json)
        {
            return null;
        }

        try
        {
            return JsonDocument.Parse(json);
        }
        catch (JsonException e)
        {
            throw Malformed(rowNumber, $"has a {column} that is not JSON ({e.Message})");
        }
    }

    private InvalidDataException Malformed(long rowNumber, string problem) => new($"{file} row {rowNumber}: the row {problem}.");
}
