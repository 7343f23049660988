using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;
using Parquet.Serialization;
using Razorvine.Pickle;
using SixLabors.ImageSharp;
using SixLabors.ImageSharp.PixelFormats;

namespace GroundingWeb.Fuzz;

/// <summary>The seed corpus: one small valid input per target (several for images), written by `seed`.</summary>
public static class Seeds
{
    public static byte[] Png() => Encode((image, stream) => image.SaveAsPng(stream));

    private static byte[] Encode(Action<Image<Rgb24>, Stream> save)
    {
        using var image = new Image<Rgb24>(8, 6);
        image[3, 2] = new Rgb24(200, 10, 10);
        using var stream = new MemoryStream();
        save(image, stream);
        return stream.ToArray();
    }

    public static byte[] Instances() => JsonSerializer.SerializeToUtf8Bytes(new
    {
        images = new[] { new { id = 1, file_name = "a.png", width = 8, height = 6 } },
        annotations = new[] { new { id = 10, image_id = 1, bbox = new[] { 1.0, 1.0, 4.0, 3.0 }, category_id = 1 } },
        categories = new[] { new { id = 1, name = "person" } },
    });

    public static byte[] RefsPickle()
    {
        var reference = new Dictionary<string, object>
        {
            ["ref_id"] = 1, ["ann_id"] = 10, ["image_id"] = 1, ["split"] = "val", ["category_id"] = 1, ["file_name"] = "a_10.png",
            ["sentences"] = new List<object> { new Dictionary<string, object> { ["raw"] = "The Red Dot", ["sent"] = "the red dot", ["sent_id"] = 5 } },
        };
        using var pickler = new Pickler();
        return pickler.dumps(new List<object> { reference });
    }

    public static byte[] JsonLines() => Encoding.UTF8.GetBytes(
        "{\"image\":\"images/a.png\",\"expression\":\"the red dot\",\"box\":[1,1,5,4],\"split\":\"val\"}\n" +
        "{\"image\":\"images/a.png\",\"expression\":\"the dot\",\"box\":[1,1,4,3],\"boxFormat\":\"xywh\",\"category\":\"dot\"}\n");

    public sealed class Row
    {
        [JsonPropertyName("split")] public string? Split { get; set; }
        [JsonPropertyName("image_path")] public string? ImagePath { get; set; }
        [JsonPropertyName("raw_anns")] public string? RawAnns { get; set; }
        [JsonPropertyName("raw_image_info")] public string? RawImageInfo { get; set; }
        [JsonPropertyName("sentences")] public List<Sentence>? Sentences { get; set; }
    }

    public sealed class Sentence
    {
        [JsonPropertyName("raw")] public string? Raw { get; set; }
        [JsonPropertyName("sent")] public string? Sent { get; set; }
        [JsonPropertyName("sent_id")] public long SentId { get; set; }
    }

    public static byte[] Parquet()
    {
        var rows = new[]
        {
            new Row
            {
                Split = "val", ImagePath = "a.png",
                RawAnns = "{\"bbox\":[1,1,4,3],\"id\":10,\"image_id\":1,\"category_id\":1}",
                RawImageInfo = "{\"file_name\":\"a.png\",\"width\":8,\"height\":6,\"id\":1}",
                Sentences = [new Sentence { Raw = "The red dot", Sent = "the red dot", SentId = 5 }],
            },
        };
        using var stream = new MemoryStream();
        ParquetSerializer.SerializeAsync(rows, stream).GetAwaiter().GetResult();
        return stream.ToArray();
    }

    public static byte[] Manifest() => File.ReadAllBytes(Path.Combine(FindRepository(), "models", "demo", "bundle.json"));

    /// <summary>Writes every target's seeds under <paramref name="corpus"/>/TARGET/.</summary>
    public static void Write(string corpus)
    {
        void Put(string target, string name, byte[] bytes)
        {
            Directory.CreateDirectory(Path.Combine(corpus, target));
            File.WriteAllBytes(Path.Combine(corpus, target, name), bytes);
        }
        Put("image", "seed.png", Png());
        Put("image", "seed.jpg", Encode((i, s) => i.SaveAsJpeg(s)));
        Put("image", "seed.gif", Encode((i, s) => i.SaveAsGif(s)));
        Put("image", "seed.bmp", Encode((i, s) => i.SaveAsBmp(s)));
        Put("image", "seed.webp", Encode((i, s) => i.SaveAsWebp(s)));
        Put("image", "seed.tiff", Encode((i, s) => i.SaveAsTiff(s)));
        Put("jsonl", "seed.jsonl", JsonLines());
        Put("parquet", "seed.parquet", Parquet());
        Put("pickle", "seed.p", RefsPickle());
        Put("coco", "seed.json", Instances());
        Put("manifest", "seed.json", Manifest());
    }

    private static string FindRepository()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "GroundingWeb.sln")))
            {
                return dir.FullName;
            }
        }
        throw new DirectoryNotFoundException("run from inside the repository");
    }
}
