using System.Text;
using GroundingWeb.Evaluation.Datasets;
using GroundingWeb.Inference.Geometry;
using GroundingWeb.Tests.Support;
using static GroundingWeb.Tests.Datasets.DatasetFiles;

namespace GroundingWeb.Tests.Datasets;

public sealed class ReferDatasetReaderTests : IDisposable
{
    private readonly TempFolder _temp = new();

    public void Dispose() => _temp.Dispose();

    private readonly string _folder;

    public ReferDatasetReaderTests() => _folder = Directory.CreateDirectory(_temp.File("refcoco")).FullName;

    private string RefsPath => Path.Combine(_folder, "refs(unc).p");

    private string InstancesPath => Path.Combine(_folder, "instances.json");

    /// <summary>Two images, three annotations; image 2's file is missing; annotation 13 is degenerate.</summary>
    private void WriteDataset(params Dictionary<string, object>[] refs)
    {
        WritePickle(RefsPath, refs);
        WriteInstances(
            InstancesPath,
            [new(1, "COCO_train2014_000000000001.jpg", 640, 480), new(2, "COCO_train2014_000000000002.jpg", 100, 100)],
            [new(11, 1, [10, 20, 30, 40], 1), new(12, 2, [0, 0, 5, 5], 18), new(13, 1, [5, 5, 0, 10], 1), new(14, 1, [620, 10, 30, 10], 18)]);
        WritePng(Path.Combine(_folder, "images", "COCO_train2014_000000000001.jpg"));
    }

    private DatasetReadResult Read(string? split = null, string? imageFolder = null)
    {
        var sink = new DatasetReadSink(split);
        ReferDatasetReader.Read(_folder, imageFolder, sink, CancellationToken.None);
        return sink.ToResult();
    }

    [Fact]
    public void YieldsOneSamplePerSentenceWithTheAnnotationBoxAsXyxy()
    {
        WriteDataset(
            Ref(100, 11, 1, "train", 1, (1000, "Man on the LEFT ", "man on the left"), (1001, "left guy", "left guy")),
            Ref(101, 11, 1, "testA", 1, (1002, "the man", "the man")));

        var result = Read();

        Assert.Empty(result.Skipped);
        Assert.Equal(3, result.Samples.Count);
        var first = result.Samples[0];
        Assert.Equal(new Box(10, 20, 40, 60), first.Box);
        Assert.Equal("man on the left", first.Expression);
        Assert.Equal("train", first.Split);
        Assert.Equal("person", first.Category);
        Assert.Equal(Path.Combine(_folder, "images", "COCO_train2014_000000000001.jpg"), first.ImagePath);
        Assert.Equal((1L, 100L, 11L, 1000L), (first.ImageId!.Value, first.RefId!.Value, first.AnnotationId!.Value, first.SentenceId!.Value));
        Assert.Equal((640, 480), (first.ImageWidth!.Value, first.ImageHeight!.Value));
        Assert.Equal(["train", "train", "testA"], result.Samples.Select(s => s.Split));
    }

    [Fact]
    public void FiltersBySplit()
    {
        WriteDataset(
            Ref(100, 11, 1, "train", 1, (1000, "a", "a")),
            Ref(101, 11, 1, "val", 1, (1001, "b", "b"), (1002, "c", "c")));

        var result = Read("val");

        Assert.Equal(["b", "c"], result.Samples.Select(s => s.Expression));
    }

    [Fact]
    public void FallsBackToTheRawSentenceTrimmedWhenSentIsEmpty()
    {
        WriteDataset(Ref(100, 11, 1, "train", 1, (1000, "  Raw Text  ", "")));

        Assert.Equal("Raw Text", Assert.Single(Read().Samples).Expression);
    }

    [Fact]
    public void SkipsRowsWithReasonsInsteadOfDroppingThem()
    {
        WriteDataset(
            Ref(100, 11, 1, "train", 1, (1000, "ok", "ok")),
            Ref(101, 12, 2, "train", 18, (1001, "missing image", "missing image")),
            Ref(102, 13, 1, "train", 1, (1002, "flat", "flat")),
            Ref(103, 14, 1, "train", 18, (1003, "outside", "outside")),
            Ref(104, 99, 1, "train", 1, (1004, "unknown annotation", "unknown annotation")));

        var result = Read();

        Assert.Single(result.Samples);
        Assert.Equal([1L, 2L, 3L, 4L], result.Skipped.Select(s => s.Row));
        Assert.All(result.Skipped, s => Assert.Equal(RefsPath, s.File));
        Assert.Contains("image file not found", result.Skipped[0].Reason);
        Assert.Contains("COCO_train2014_000000000002.jpg", result.Skipped[0].Reason);
        Assert.Contains("degenerate", result.Skipped[1].Reason);
        Assert.Contains("outside its 640x480 image", result.Skipped[2].Reason);
        Assert.Contains("ann_id 99", result.Skipped[3].Reason);
    }

    [Fact]
    public void ABoxWithinOnePixelOfTheEdgeIsKept()
    {
        WriteDataset(Ref(100, 11, 1, "train", 1, (1000, "a", "a")));
        WriteInstances(
            InstancesPath,
            [new(1, "COCO_train2014_000000000001.jpg", 640, 480)],
            [new(11, 1, [-0.5, 0, 641, 480.9], 1)]);

        Assert.Single(Read().Samples);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(2)]
    public void ReadsAPython2PickleWithByteStringKeys(int protocol)
    {
        WriteDataset();
        File.WriteAllBytes(RefsPath, protocol == 0 ? Python2TextPickle() : Python2Pickle());

        var sample = Assert.Single(Read().Samples);

        Assert.Equal(("left dog", "val", 11L, 5000000001L), (sample.Expression, sample.Split, sample.AnnotationId!.Value, sample.RefId!.Value));
        Assert.Equal(new Box(10, 20, 40, 60), sample.Box);
    }

    [Fact]
    public void AMalformedPickleNamesTheFile()
    {
        WriteDataset();
        File.WriteAllBytes(RefsPath, [0x80, 0x02, (byte)']', (byte)'q', 0x00, 0xFF, 0xFE]);

        var error = Assert.Throws<InvalidDataException>(() => Read());

        Assert.Contains(RefsPath, error.Message);
    }

    [Fact]
    public void ARefWithoutAnnIdNamesTheFileAndRow()
    {
        var broken = Ref(101, 11, 1, "train", 1, (1001, "b", "b"));
        broken.Remove("ann_id");
        WriteDataset(Ref(100, 11, 1, "train", 1, (1000, "a", "a")), broken);

        var error = Assert.Throws<InvalidDataException>(() => Read());

        Assert.Contains($"{RefsPath} row 1", error.Message);
        Assert.Contains("ann_id", error.Message);
    }

    [Fact]
    public void MalformedInstancesJsonNamesTheFileAndLine()
    {
        WriteDataset(Ref(100, 11, 1, "train", 1, (1000, "a", "a")));
        File.WriteAllText(InstancesPath, "{\n\"images\": [\n{\"id\": 1,, }]}");

        var error = Assert.Throws<InvalidDataException>(() => Read());

        Assert.Contains("instances.json", error.Message);
        Assert.Contains("line 3", error.Message);
    }

    [Fact]
    public void FindsTheReferToolkitImageFolderAndNamesTheFoldersTriedWhenThereIsNone()
    {
        WriteDataset(Ref(100, 11, 1, "train", 1, (1000, "a", "a")));
        Directory.Delete(Path.Combine(_folder, "images"), recursive: true);

        var error = Assert.Throws<DirectoryNotFoundException>(() => Read());
        Assert.Contains(Path.Combine(_folder, "images"), error.Message);
        Assert.Contains(ImageFolderLocator.EnvironmentVariable, error.Message);

        var toolkit = Path.Combine(_temp.Path, "images", "mscoco", "images", "train2014");
        WritePng(Path.Combine(toolkit, "COCO_train2014_000000000001.jpg"));

        Assert.Equal(toolkit, Path.GetDirectoryName(Assert.Single(Read().Samples).ImagePath));
    }

    [Fact]
    public void UsesTheImageFolderItIsGiven()
    {
        WriteDataset(Ref(100, 11, 1, "train", 1, (1000, "a", "a")));
        var elsewhere = Path.Combine(_temp.Path, "coco", "train2014");
        WritePng(Path.Combine(elsewhere, "COCO_train2014_000000000001.jpg"));

        Assert.Equal(elsewhere, Path.GetDirectoryName(Assert.Single(Read(imageFolder: elsewhere).Samples).ImagePath));
    }

    /// <summary>What Python 2's pickle.dump(refs, f) writes with its default text protocol 0.</summary>
    private static byte[] Python2TextPickle() => Encoding.ASCII.GetBytes(
        "(lp0\n(dp1\nS'split'\np2\nS'val'\np3\nsS'ann_id'\np4\nI11\nsS'image_id'\np5\nI1\nsS'ref_id'\np6\nL5000000001L\n" +
        "sS'category_id'\np7\nI18\nsS'sentences'\np8\n(lp9\n(dp10\nS'raw'\np11\nS'Left dog'\np12\nsS'sent'\np13\nS'left dog'\np14\n" +
        "sS'sent_id'\np15\nI7\nsasa.\n");

    /// <summary>
    /// What Python 2's pickle.dump(refs, f, 2) writes: str keys and values as SHORT_BINSTRING, small
    /// ints as BININT1, a long as LONG1, memoised with BINPUT.
    /// </summary>
    private static byte[] Python2Pickle()
    {
        var bytes = new List<byte> { 0x80, 0x02, (byte)']', (byte)'q', 0, (byte)'}', (byte)'q', 1, (byte)'(' };
        void Str(string s) { bytes.Add((byte)'U'); bytes.Add((byte)s.Length); bytes.AddRange(Encoding.ASCII.GetBytes(s)); }
        void Int(byte i) { bytes.Add((byte)'K'); bytes.Add(i); }
        Str("split"); Str("val");
        Str("ann_id"); Int(11);
        Str("image_id"); Int(1);
        Str("category_id"); Int(18);
        Str("ref_id"); bytes.AddRange([(byte)0x8a, 5, 0x01, 0xF2, 0x05, 0x2A, 0x01]); // LONG1 5000000001
        Str("sentences"); bytes.AddRange([(byte)']', (byte)'q', 2, (byte)'}', (byte)'q', 3, (byte)'(']);
        Str("raw"); Str("Left dog"); Str("sent"); Str("left dog"); Str("sent_id"); Int(7);
        Str("tokens"); bytes.AddRange([(byte)']', (byte)'(']); Str("left"); Str("dog"); bytes.Add((byte)'e');
        bytes.AddRange([(byte)'u', (byte)'a']);
        bytes.AddRange([(byte)'u', (byte)'a', (byte)'.']);
        return [.. bytes];
    }
}
