using System.Text.Json;
using GroundingWeb.Evaluation.RefShapes;
using GroundingWeb.Tests.Support;
using SixLabors.ImageSharp;
using SixLabors.ImageSharp.PixelFormats;

namespace GroundingWeb.Tests.Datasets.RefShapes;

public sealed class RefShapesWriterTests(RefShapesDatasetFixture dataset) : IClassFixture<RefShapesDatasetFixture>
{
    private static readonly string[] SpatialKinds = ["position", "relation", "ordinal", "superlative"];

    [Fact]
    public void SameSeedWritesIdenticalFilesAndAnotherSeedDoesNot()
    {
        using var again = new TempFolder();
        using var other = new TempFolder();

        RefShapesWriter.Write(again.Path, RefShapesDatasetFixture.Options, force: false);
        RefShapesWriter.Write(other.Path, RefShapesDatasetFixture.Options with { Seed = 2 }, force: false);

        var files = Directory.GetFiles(dataset.Folder, "*", SearchOption.AllDirectories).Select(f => Path.GetRelativePath(dataset.Folder, f)).Order().ToList();
        Assert.Equal(files, Directory.GetFiles(again.Path, "*", SearchOption.AllDirectories).Select(f => Path.GetRelativePath(again.Path, f)).Order());
        Assert.All(files, f => Assert.Equal(File.ReadAllBytes(Path.Combine(dataset.Folder, f)), File.ReadAllBytes(Path.Combine(again.Path, f))));
        Assert.NotEqual(File.ReadAllText(Path.Combine(dataset.Folder, "train.jsonl")), File.ReadAllText(Path.Combine(other.Path, "train.jsonl")));
        Assert.NotEqual(File.ReadAllBytes(Path.Combine(dataset.Folder, "images/train/000000.png")), File.ReadAllBytes(Path.Combine(other.Path, "images/train/000000.png")));
        Assert.DoesNotContain(Directory.GetFiles(again.Path, "*.tmp", SearchOption.AllDirectories), _ => true);
    }

    [Fact]
    public void SplitsHoldTheirKindsAndShareNoImage()
    {
        var r = dataset.Records;

        Assert.All(r["testA"], s => Assert.Equal("attribute", s.Kind));
        Assert.All(r["testB"], s => Assert.Contains(s.Kind, SpatialKinds));
        Assert.Equal(5, r["train"].Select(s => s.Kind).Distinct().Count());
        Assert.True(r["val"].Select(s => s.Kind).Distinct().Count() >= 4);
        var imagesBySplit = r.ToDictionary(p => p.Key, p => p.Value.Select(s => s.ImageId).ToHashSet());
        foreach (var a in imagesBySplit)
        {
            Assert.All(r[a.Key], s => Assert.Equal(a.Key, s.Split));
            Assert.All(r[a.Key], s => Assert.StartsWith($"images/{a.Key}/", s.Image));
            foreach (var b in imagesBySplit.Where(b => b.Key != a.Key))
            {
                Assert.Empty(a.Value.Intersect(b.Value));
            }
        }
        Assert.Equal([16, 8, 8, 8], RefShapesGenerator.Splits.Select(s => imagesBySplit[s].Count));
    }

    [Fact]
    public void RecordsFollowTheJsonLinesLayout()
    {
        var all = dataset.Records.Values.SelectMany(r => r).ToList();

        Assert.All(all, s =>
        {
            Assert.Equal("xyxy", s.BoxFormat);
            Assert.False(string.IsNullOrWhiteSpace(s.Expression));
            if (s.Box is null)
            {
                // A no-target expression: no box, no category, no annotation.
                Assert.Null(s.Category);
                Assert.Null(s.AnnotationId);
                return;
            }
            Assert.Contains(s.Category, RefShapesVocabulary.Shapes.Select(x => x.Name()));
            Assert.True(s.Box[0] >= 0 && s.Box[1] >= 0 && s.Box[2] <= s.ImageWidth && s.Box[3] <= s.ImageHeight && s.Box[0] < s.Box[2] && s.Box[1] < s.Box[3]);
        });
        Assert.Equal(all.Count, all.Select(s => s.RefId).Distinct().Count());
        foreach (var image in all.GroupBy(s => s.Image))
        {
            Assert.InRange(image.Count(s => s.Box is not null), 1, SampleComposer.MaxPerImage);
            Assert.InRange(image.Count(s => s.Box is null), 0, 1);
            Assert.Equal(image.Count(), image.Select(s => s.Expression).Distinct().Count());
            using var png = Image.Load<Rgb24>(Path.Combine(dataset.Folder, image.Key));
            Assert.Equal(image.First().ImageWidth, png.Width);
            Assert.Equal(image.First().ImageHeight, png.Height);
        }
        var first = File.ReadLines(Path.Combine(dataset.Folder, "train.jsonl")).First();
        Assert.Contains("\"boxFormat\":\"xyxy\"", first);
        Assert.Contains("\"imageId\":", first);
        // Every split has no-target samples, written with "box": null.
        Assert.All(dataset.Records.Values, records => Assert.Contains(records, r => r.Box is null));
        Assert.Contains("\"box\":null", File.ReadAllText(Path.Combine(dataset.Folder, "val.jsonl")));
    }

    [Fact]
    public void DatasetJsonCountsWhatWasWritten()
    {
        using var json = JsonDocument.Parse(File.ReadAllText(Path.Combine(dataset.Folder, "dataset.json")));
        var root = json.RootElement;

        Assert.Equal(1, root.GetProperty("seed").GetInt32());
        Assert.Equal(RefShapesGenerator.Version, root.GetProperty("generatorVersion").GetString());
        Assert.Equal(40, root.GetProperty("images").GetInt32());
        foreach (var (split, records) in dataset.Records)
        {
            var s = root.GetProperty("splits").GetProperty(split);
            Assert.Equal(records.Count, s.GetProperty("samples").GetInt32());
            Assert.Equal(records.Count(r => r.Box is null), s.GetProperty("negatives").GetInt32());
            foreach (var kind in RefShapesVocabulary.Kinds.Select(k => k.Name()))
            {
                Assert.Equal(records.Count(r => r.Kind == kind && r.Box is not null), s.GetProperty("kinds").GetProperty(kind).GetInt32());
            }
        }
    }

    [Fact]
    public void RefusesANonEmptyFolderUnlessForced()
    {
        using var temp = new TempFolder();
        File.WriteAllText(temp.File("keep.txt"), "mine");
        var options = new RefShapesOptions(Seed: 3, Images: 4);

        var error = Assert.Throws<InvalidOperationException>(() => RefShapesWriter.Write(temp.Path, options, force: false));
        RefShapesWriter.Write(temp.Path, options, force: true);
        var summary = RefShapesWriter.Write(temp.Path, options with { Images = 3 }, force: true);

        Assert.Contains("--force", error.Message);
        Assert.Equal("mine", File.ReadAllText(temp.File("keep.txt")));
        Assert.Equal(3, Directory.GetFiles(temp.File("images"), "*.png", SearchOption.AllDirectories).Length);
        Assert.Equal(3, summary.Images);
    }

    [Theory]
    [InlineData(0, 0.1, 0.1, 0.1, "--images")]
    [InlineData(10, 0.5, 0.3, 0.3, "add up to more than 1")]
    [InlineData(10, -0.1, 0.1, 0.1, "--val-fraction")]
    public void BadOptionsAreNamed(int images, double val, double testA, double testB, string expected)
    {
        var error = Assert.Throws<ArgumentException>(() => new RefShapesOptions(1, images, val, testA, testB).Validate());

        Assert.Contains(expected, error.Message);
    }
}
