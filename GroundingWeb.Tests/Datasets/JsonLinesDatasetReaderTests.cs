using GroundingWeb.Evaluation.Datasets;
using GroundingWeb.Inference.Geometry;
using GroundingWeb.Tests.Support;
using static GroundingWeb.Tests.Datasets.DatasetFiles;

namespace GroundingWeb.Tests.Datasets;

public sealed class JsonLinesDatasetReaderTests : IDisposable
{
    private readonly TempFolder _temp = new();

    public JsonLinesDatasetReaderTests() => WritePng(_temp.File(Path.Combine("img", "a.png")), 100, 50);

    public void Dispose() => _temp.Dispose();

    private DatasetReadResult Read(string? path = null, string? split = null)
    {
        var sink = new DatasetReadSink(split);
        JsonLinesDatasetReader.Read(path ?? _temp.Path, sink, CancellationToken.None);
        return sink.ToResult();
    }

    /// <summary>"box": null is an expression that refers to nothing in its image (issue 15); a missing box is still an error.</summary>
    [Fact]
    public void ANullBoxIsANoTargetSampleAndAMissingBoxAnError()
    {
        File.WriteAllLines(_temp.File("val.jsonl"),
        [
            """{"image":"img/a.png","expression":"the green star","box":null,"kind":"attribute"}""",
            """{"image":"img/a.png","expression":"left cat","box":[10,5,30,25]}""",
        ]);

        var result = Read();

        Assert.Empty(result.Skipped);
        Assert.Equal([false, true], result.Samples.Select(s => s.HasTarget));
        Assert.Equal(default, result.Samples[0].Box);

        File.WriteAllLines(_temp.File("val.jsonl"), ["""{"image":"img/a.png","expression":"no box at all"}"""]);
        Assert.Throws<InvalidDataException>(() => Read());
    }

    [Fact]
    public void ReadsBothBoxFormatsWithImagesRelativeToTheFile()
    {
        File.WriteAllLines(_temp.File("train.jsonl"),
        [
            """{"image":"img/a.png","expression":"left cat","box":[10,5,30,25],"category":"cat","kind":"position","imageWidth":100,"imageHeight":50,"refId":7}""",
            "",
            """{"image":"img/a.png","expression":"right cat","box":[10,5,20,20],"boxFormat":"xywh"}""",
        ]);

        var result = Read();

        Assert.Empty(result.Skipped);
        Assert.Equal([new Box(10, 5, 30, 25), new Box(10, 5, 30, 25)], result.Samples.Select(s => s.Box));
        var first = result.Samples[0];
        Assert.Equal(("left cat", "cat", "position", 7L, 100, 50), (first.Expression, first.Category, first.Kind, first.RefId!.Value, first.ImageWidth!.Value, first.ImageHeight!.Value));
        Assert.Equal(_temp.File(Path.Combine("img", "a.png")), first.ImagePath);
    }

    [Fact]
    public void TakesTheSplitFromTheLineOrElseTheFileName()
    {
        File.WriteAllLines(_temp.File("val.jsonl"),
        [
            """{"image":"img/a.png","expression":"a","box":[1,1,2,2]}""",
            """{"image":"img/a.png","expression":"b","box":[1,1,2,2],"split":"testB"}""",
        ]);
        File.WriteAllLines(_temp.File("train.jsonl"), ["""{"image":"img/a.png","expression":"c","box":[1,1,2,2]}"""]);
        File.WriteAllText(_temp.File("notes.txt"), "not read");

        var result = Read();

        Assert.Equal([("c", "train"), ("a", "val"), ("b", "testB")], result.Samples.Select(s => (s.Expression, s.Split)));
        Assert.Equal(["b"], Read(split: "testB").Samples.Select(s => s.Expression));
    }

    [Fact]
    public void SkipsMissingImagesDegenerateAndOutsideBoxesWithLineNumbers()
    {
        var file = _temp.File("test.jsonl");
        File.WriteAllLines(file,
        [
            """{"image":"img/a.png","expression":"ok","box":[0,0,100,50],"imageWidth":100,"imageHeight":50}""",
            """{"image":"img/missing.png","expression":"gone","box":[1,1,2,2]}""",
            """{"image":"img/a.png","expression":"flat","box":[5,5,5,9]}""",
            """{"image":"img/a.png","expression":"inverted","box":[5,5,4,9]}""",
            """{"image":"img/a.png","expression":"outside","box":[0,0,102,50],"imageWidth":100,"imageHeight":50}""",
        ]);

        var result = Read();

        Assert.Equal(["ok"], result.Samples.Select(s => s.Expression));
        Assert.Equal([2L, 3L, 4L, 5L], result.Skipped.Select(s => s.Row));
        Assert.All(result.Skipped, s => Assert.Equal(file, s.File));
        Assert.Contains("missing.png", result.Skipped[0].Reason);
        Assert.Contains("degenerate", result.Skipped[1].Reason);
        Assert.Contains("degenerate", result.Skipped[2].Reason);
        Assert.Contains("outside", result.Skipped[3].Reason);
    }

    [Theory]
    [InlineData("""{"image":"img/a.png","expression":"x","box":[1,1,2""", "not a valid record")]
    [InlineData("""{"image":"img/a.png","box":[1,1,2,2]}""", "expression")]
    [InlineData("""{"image":"img/a.png","expression":"x","box":[1,1,2]}""", "3 numbers")]
    [InlineData("""{"image":"img/a.png","expression":"x","box":[1,1,2,2],"boxFormat":"cxcywh"}""", "cxcywh")]
    public void AMalformedLineNamesTheFileAndLine(string badLine, string expected)
    {
        var file = _temp.File("train.jsonl");
        File.WriteAllLines(file, ["""{"image":"img/a.png","expression":"ok","box":[1,1,2,2]}""", badLine]);

        var error = Assert.Throws<InvalidDataException>(() => Read());

        Assert.Contains($"{file} line 2", error.Message);
        Assert.Contains(expected, error.Message);
    }

    [Fact]
    public void AFolderWithoutJsonLinesFilesIsAnError()
    {
        var error = Assert.Throws<FileNotFoundException>(() => Read(_temp.File("img")));

        Assert.Contains("*.jsonl", error.Message);
    }
}
