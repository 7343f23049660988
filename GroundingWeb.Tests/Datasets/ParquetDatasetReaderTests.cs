using GroundingWeb.Evaluation.Datasets;
using GroundingWeb.Inference.Geometry;
using GroundingWeb.Tests.Support;
using static GroundingWeb.Tests.Datasets.DatasetFiles;

namespace GroundingWeb.Tests.Datasets;

/// <summary>Files laid out as the Hugging Face repository: data/&lt;split&gt;-00000-of-00001.parquet, images/ beside data/.</summary>
public sealed class ParquetDatasetReaderTests : IDisposable
{
    private readonly TempFolder _temp = new();

    public void Dispose() => _temp.Dispose();

    private string Images => Path.Combine(_temp.Path, "images");

    private string DataFile(string split) => Path.Combine(_temp.Path, "data", $"{split}-00000-of-00001.parquet");

    private DatasetReadResult Read(string? split = null, string? path = null)
    {
        var sink = new DatasetReadSink(split);
        ParquetDatasetReader.ReadAsync(path ?? _temp.Path, null, sink, CancellationToken.None).GetAwaiter().GetResult();
        return sink.ToResult();
    }

    [Fact]
    public void YieldsOneSamplePerSentenceWithTheRawAnnsBoxAndUncSplitNames()
    {
        ParquetImage(Images, 1);
        WriteParquet(DataFile("train"), [Row(10, 100, 1, "train", [10, 20, 30, 40], 1, (1, "The Man", "the man"), (2, "man", "man"))]);
        WriteParquet(DataFile("validation"), [Row(11, 101, 1, "val", [0, 0, 50, 50], 18, (3, "dog", "dog"))]);
        WriteParquet(DataFile("test"), [Row(12, 102, 1, "testA", [1, 1, 2, 2], 1, (4, "a", "a"))]);
        WriteParquet(DataFile("testB"), [Row(13, 103, 1, "testB", [1, 1, 2, 2], 18, (5, "b", "b"))]);

        var result = Read();

        Assert.Empty(result.Skipped);
        Assert.Equal(5, result.Samples.Count);
        var first = result.Samples.Single(s => s.SentenceId == 1);
        Assert.Equal(new Box(10, 20, 40, 60), first.Box);
        Assert.Equal(("the man", "train", "person"), (first.Expression, first.Split, first.Category));
        Assert.Equal((1L, 10L, 100L), (first.ImageId!.Value, first.RefId!.Value, first.AnnotationId!.Value));
        Assert.Equal((200, 100), (first.ImageWidth!.Value, first.ImageHeight!.Value));
        Assert.Equal(Path.Combine(Images, "coco", "train2014", "COCO_train2014_000000000001.jpg"), first.ImagePath);
        Assert.Equal(["testA", "testB", "train", "train", "val"], result.Samples.Select(s => s.Split).Order(StringComparer.Ordinal));
        Assert.Equal("dog", result.Samples.Single(s => s.Split == "val").Category);
    }

    [Theory]
    [InlineData("validation", "val")]
    [InlineData("test", "testA")]
    [InlineData("testB", "testB")]
    [InlineData("train", "train")]
    public void RenamesTheSplitColumnToUncNames(string parquetSplit, string expected)
    {
        ParquetImage(Images, 1);
        WriteParquet(DataFile("any"), [Row(10, 100, 1, parquetSplit, [10, 20, 30, 40], 1, (1, "a", "a"))]);

        Assert.Equal(expected, Assert.Single(Read(expected).Samples).Split);
    }

    [Fact]
    public void TakesTheSplitFromTheFileNameWhenTheColumnIsEmpty()
    {
        ParquetImage(Images, 1);
        var row = Row(10, 100, 1, "", [10, 20, 30, 40], 1, (1, "a", "a"));
        row.Split = null;
        WriteParquet(DataFile("validation"), [row]);

        Assert.Equal("val", Assert.Single(Read().Samples).Split);
    }

    [Fact]
    public void FindsTheImageByRawImageInfoWhenImagePathDoesNotResolve()
    {
        WritePng(Path.Combine(Images, "COCO_train2014_000000000001.jpg"));
        var row = Row(10, 100, 1, "train", [10, 20, 30, 40], 1, (1, "a", "a"));
        row.ImagePath = "elsewhere/other.jpg";
        WriteParquet(DataFile("train"), [row]);

        Assert.Equal(Path.Combine(Images, "COCO_train2014_000000000001.jpg"), Assert.Single(Read().Samples).ImagePath);
    }

    [Theory]
    [InlineData(new[] { 10.0, 20, 30, 40 })]   // the same xywh
    [InlineData(new[] { 10.0, 20, 40, 60 })]   // the same box as xyxy
    [InlineData(new[] { 10.9, 19.1, 30, 40 })] // rounding within 1 px
    public void KeepsARowWhoseBboxColumnAgreesWithRawAnns(double[] bbox)
    {
        ParquetImage(Images, 1);
        var row = Row(10, 100, 1, "train", [10, 20, 30, 40], 1, (1, "a", "a"));
        row.Bbox = [.. bbox];
        WriteParquet(DataFile("train"), [row]);

        Assert.Equal(new Box(10, 20, 40, 60), Assert.Single(Read().Samples).Box);
    }

    [Fact]
    public void SkipsRowsWithReasonsCountingRowsAcrossRowGroups()
    {
        ParquetImage(Images, 1);
        var disagreeing = Row(11, 101, 1, "train", [10, 20, 30, 40], 1, (2, "b", "b"));
        disagreeing.Bbox = [12, 20, 30, 40];
        WriteParquet(DataFile("train"),
        [
            Row(10, 100, 1, "train", [10, 20, 30, 40], 1, (1, "a", "a")),
            disagreeing,
            Row(12, 102, 2, "train", [10, 20, 30, 40], 1, (3, "c", "c")),  // image 2 has no file
            Row(13, 103, 1, "train", [10, 20, 0, 40], 1, (4, "d", "d")),
            Row(14, 104, 1, "train", [150, 20, 52, 40], 1, (5, "e", "e")), // reaches x 202 in a 200-wide image
        ], rowGroupSize: 2);

        var result = Read();

        Assert.Equal([1L], result.Samples.Select(s => s.SentenceId!.Value));
        Assert.Equal([1L, 2L, 3L, 4L], result.Skipped.Select(s => s.Row));
        Assert.All(result.Skipped, s => Assert.Equal(DataFile("train"), s.File));
        Assert.Contains("bbox column [12, 20, 30, 40] disagrees with raw_anns bbox (xywh) [10, 20, 30, 40]", result.Skipped[0].Reason);
        Assert.Contains("image file not found", result.Skipped[1].Reason);
        Assert.Contains("degenerate", result.Skipped[2].Reason);
        Assert.Contains("outside its 200x100 image", result.Skipped[3].Reason);
    }

    [Fact]
    public void AMissingColumnNamesTheFileAndTheColumn()
    {
        Directory.CreateDirectory(Images);
        WriteParquet(DataFile("train"), [new HfRowWithoutAnns { ImagePath = "x.jpg", Sentences = [] }]);

        var error = Assert.Throws<InvalidDataException>(() => Read());

        Assert.Contains(DataFile("train"), error.Message);
        Assert.Contains("raw_anns", error.Message);
    }

    [Fact]
    public void BadRawAnnsJsonNamesTheFileAndRow()
    {
        ParquetImage(Images, 1);
        var broken = Row(11, 101, 1, "train", [10, 20, 30, 40], 1, (2, "b", "b"));
        broken.RawAnns = "{\"bbox\": [1, 2,";
        WriteParquet(DataFile("train"), [Row(10, 100, 1, "train", [10, 20, 30, 40], 1, (1, "a", "a")), broken]);

        var error = Assert.Throws<InvalidDataException>(() => Read());

        Assert.Contains($"{DataFile("train")} row 1", error.Message);
        Assert.Contains("raw_anns", error.Message);
    }

    [Fact]
    public void AFileThatIsNotParquetNamesTheFile()
    {
        Directory.CreateDirectory(Images);
        Directory.CreateDirectory(Path.GetDirectoryName(DataFile("train"))!);
        File.WriteAllText(DataFile("train"), "not a parquet file at all");

        var error = Assert.Throws<InvalidDataException>(() => Read());

        Assert.Contains(DataFile("train"), error.Message);
    }

    [Fact]
    public void DamagedColumnDataNamesTheFileAndRowGroup()
    {
        ParquetImage(Images, 1);
        WriteParquet(DataFile("train"), [Row(10, 100, 1, "train", [10, 20, 30, 40], 1, (1, "a", "a"))]);
        var bytes = File.ReadAllBytes(DataFile("train"));
        var footerLength = BitConverter.ToInt32(bytes, bytes.Length - 8);
        bytes.AsSpan(4, bytes.Length - 8 - footerLength - 4).Fill(0xFF); // the column chunks; header and footer stay intact
        File.WriteAllBytes(DataFile("train"), bytes);

        var error = Assert.Throws<InvalidDataException>(() => Read());

        Assert.Contains($"{DataFile("train")} rows from 0 (row group 0)", error.Message);
    }

    /// <summary>
    /// Parquet.Net 6.1.0 took the end of its footer buffer for a varint byte with the continuation bit set
    /// and looped for ever (thirteen fuzzing finds). Every cut of a real footer, and a footer ending inside a
    /// varint, is now refused at once: the reads run with a deadline so that a regression fails, not hangs.
    /// </summary>
    [Fact]
    public async Task AFooterCutShortIsRefusedAtOnceAtEveryCut()
    {
        ParquetImage(Images, 1);
        WriteParquet(DataFile("train"), [Row(10, 100, 1, "train", [10, 20, 30, 40], 1, (1, "a", "a"))]);
        var bytes = File.ReadAllBytes(DataFile("train"));
        var footerLength = BitConverter.ToInt32(bytes, bytes.Length - 8);
        var body = bytes.AsSpan(0, bytes.Length - 8 - footerLength).ToArray();
        var footer = bytes.AsSpan(bytes.Length - 8 - footerLength, footerLength).ToArray();

        // Cut the metadata at every length; each cut is a file whose footer ends where the metadata stops.
        var cuts = Enumerable.Range(1, footerLength - 1).Select(cut => footer[..cut])
            .Append([0x15, 0x80]) // field 1 (version, i32) whose varint never ends
            .ToList();
        foreach (var cut in cuts)
        {
            File.WriteAllBytes(DataFile("train"), [.. body, .. cut, .. BitConverter.GetBytes(cut.Length), .. "PAR1"u8]);
            var read = Task.Run(() => Read());
            var error = await Assert.ThrowsAsync<InvalidDataException>(() => read.WaitAsync(TimeSpan.FromSeconds(30)));
            Assert.Contains(DataFile("train"), error.Message);
        }
        Assert.Contains("damaged footer", (await Assert.ThrowsAsync<InvalidDataException>(() => Task.Run(() => Read()).WaitAsync(TimeSpan.FromSeconds(30)))).Message);

        File.WriteAllBytes(DataFile("train"), bytes);
        Assert.Single(Read().Samples);
    }

    [Fact]
    public void NamesTheFoldersTriedWhenThereIsNoImageFolder()
    {
        WriteParquet(DataFile("train"), [Row(10, 100, 1, "train", [10, 20, 30, 40], 1, (1, "a", "a"))]);

        var error = Assert.Throws<DirectoryNotFoundException>(() => Read());

        Assert.Contains(Path.Combine(_temp.Path, "data", "images"), error.Message);
        Assert.Contains(Images, error.Message);
    }

    [Fact]
    public void ReadsASingleFile()
    {
        ParquetImage(Images, 1);
        WriteParquet(DataFile("train"), [Row(10, 100, 1, "train", [10, 20, 30, 40], 1, (1, "a", "a"))]);
        WriteParquet(DataFile("testB"), [Row(13, 103, 1, "testB", [1, 1, 2, 2], 18, (5, "b", "b"))]);

        Assert.Equal("testB", Assert.Single(Read(path: DataFile("testB")).Samples).Split);
    }
}
