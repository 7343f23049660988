using System.Text.Json;
using System.Text.Json.Serialization;
using Parquet;
using Parquet.Serialization;
using Razorvine.Pickle;
using SixLabors.ImageSharp;
using SixLabors.ImageSharp.PixelFormats;

namespace GroundingWeb.Tests.Datasets;

/// <summary>Writes small datasets in each source format with the real column types and nesting.</summary>
internal static class DatasetFiles
{
    public static string WritePng(string path, int width = 2, int height = 2)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        using var image = new Image<Rgb24>(width, height);
        image.SaveAsPng(path);
        return path;
    }

    /// <summary>A ref dict as the refer toolkit pickles it into refs(unc).p.</summary>
    public static Dictionary<string, object> Ref(int refId, int annId, int imageId, string split, int categoryId, params (int Id, string Raw, string Sent)[] sentences) => new()
    {
        ["ref_id"] = refId,
        ["ann_id"] = annId,
        ["image_id"] = imageId,
        ["split"] = split,
        ["category_id"] = categoryId,
        ["file_name"] = $"COCO_train2014_{imageId:D12}_{annId}.jpg",
        ["sent_ids"] = sentences.Select(s => (object)s.Id).ToList(),
        ["sentences"] = sentences.Select(s => (object)new Dictionary<string, object>
        {
            ["raw"] = s.Raw,
            ["sent"] = s.Sent,
            ["sent_id"] = s.Id,
            ["tokens"] = s.Sent.Split(' ').Cast<object>().ToList(),
        }).ToList(),
    };

    /// <summary>Pickles the refs as protocol 2, the protocol the refer toolkit's files use.</summary>
    public static void WritePickle(string path, IEnumerable<Dictionary<string, object>> refs)
    {
        using var pickler = new Pickler();
        File.WriteAllBytes(path, pickler.dumps(refs.Cast<object>().ToList()));
    }

    public sealed record CocoImageSpec(int Id, string FileName, int Width, int Height);

    public sealed record CocoAnnotationSpec(int Id, int ImageId, double[] Bbox, int CategoryId);

    public static void WriteInstances(string path, IEnumerable<CocoImageSpec> images, IEnumerable<CocoAnnotationSpec> annotations)
    {
        var document = new
        {
            info = new { description = "test" },
            licenses = Array.Empty<object>(),
            images = images.Select(i => new { license = 1, file_name = i.FileName, coco_url = "", height = i.Height, width = i.Width, date_captured = "", flickr_url = "", id = i.Id }),
            annotations = annotations.Select(a => new
            {
                segmentation = new[] { new[] { a.Bbox[0], a.Bbox[1], a.Bbox[0] + a.Bbox[2], a.Bbox[1], a.Bbox[0], a.Bbox[1] + a.Bbox[3] } },
                area = a.Bbox[2] * a.Bbox[3],
                iscrowd = 0,
                image_id = a.ImageId,
                bbox = a.Bbox,
                category_id = a.CategoryId,
                id = a.Id,
            }),
            categories = new[] { new { supercategory = "person", id = 1, name = "person" }, new { supercategory = "animal", id = 18, name = "dog" } },
        };
        File.WriteAllText(path, JsonSerializer.Serialize(document));
    }

    public sealed class HfSentence
    {
        [JsonPropertyName("raw")] public string? Raw { get; set; }
        [JsonPropertyName("sent")] public string? Sent { get; set; }
        [JsonPropertyName("sent_id")] public long? SentId { get; set; }
        [JsonPropertyName("tokens")] public List<string>? Tokens { get; set; }
    }

    /// <summary>The jxu124/refcoco columns, all nullable as pyarrow writes them.</summary>
    public class HfRow
    {
        [JsonPropertyName("sent_ids")] public List<long>? SentIds { get; set; }
        [JsonPropertyName("file_name")] public string? FileName { get; set; }
        [JsonPropertyName("ann_id")] public long? AnnId { get; set; }
        [JsonPropertyName("ref_id")] public long? RefId { get; set; }
        [JsonPropertyName("image_id")] public long? ImageId { get; set; }
        [JsonPropertyName("split")] public string? Split { get; set; }
        [JsonPropertyName("sentences")] public List<HfSentence>? Sentences { get; set; }
        [JsonPropertyName("category_id")] public long? CategoryId { get; set; }
        [JsonPropertyName("raw_anns")] public string? RawAnns { get; set; }
        [JsonPropertyName("raw_image_info")] public string? RawImageInfo { get; set; }
        [JsonPropertyName("raw_sentences")] public string? RawSentences { get; set; }
        [JsonPropertyName("image_path")] public string? ImagePath { get; set; }
        [JsonPropertyName("bbox")] public List<double>? Bbox { get; set; }
    }

    /// <summary>An HfRow schema without raw_anns, for the missing-column error.</summary>
    public sealed class HfRowWithoutAnns
    {
        [JsonPropertyName("image_path")] public string? ImagePath { get; set; }
        [JsonPropertyName("sentences")] public List<HfSentence>? Sentences { get; set; }
    }

    /// <summary>A jxu124/refcoco row: one ref with its sentences, raw_anns and raw_image_info as JSON strings.</summary>
    public static HfRow Row(long refId, long annId, long imageId, string split, double[] xywh, long categoryId, params (long Id, string Raw, string Sent)[] sentences)
    {
        var imageName = $"COCO_train2014_{imageId:D12}.jpg";
        return new HfRow
        {
            SentIds = sentences.Select(s => s.Id).ToList(),
            FileName = $"COCO_train2014_{imageId:D12}_{annId}.jpg",
            AnnId = annId,
            RefId = refId,
            ImageId = imageId,
            Split = split,
            Sentences = sentences.Select(s => new HfSentence { Raw = s.Raw, Sent = s.Sent, SentId = s.Id, Tokens = s.Sent.Split(' ').ToList() }).ToList(),
            CategoryId = categoryId,
            RawAnns = JsonSerializer.Serialize(new { segmentation = new[] { new[] { 1.0, 2.0, 3.0 } }, area = xywh[2] * xywh[3], iscrowd = 0, image_id = imageId, bbox = xywh, category_id = categoryId, id = annId }),
            RawImageInfo = JsonSerializer.Serialize(new { license = 1, file_name = imageName, height = 100, width = 200, id = imageId }),
            RawSentences = JsonSerializer.Serialize(sentences.Select(s => new { raw = s.Raw, sent = s.Sent, sent_id = s.Id })),
            ImagePath = $"coco/train2014/{imageName}",
            Bbox = [.. xywh],
        };
    }

    public static void WriteParquet<T>(string path, IEnumerable<T> rows, int? rowGroupSize = null)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        var options = rowGroupSize is int size ? new ParquetOptions { RowGroupSize = size } : null;
        ParquetSerializer.SerializeAsync(rows, path, options).GetAwaiter().GetResult();
    }

    /// <summary>The file a jxu124/refcoco row's image is found at under <paramref name="imageFolder"/>.</summary>
    public static string ParquetImage(string imageFolder, long imageId) =>
        WritePng(Path.Combine(imageFolder, "coco", "train2014", $"COCO_train2014_{imageId:D12}.jpg"), 200, 100);
}
