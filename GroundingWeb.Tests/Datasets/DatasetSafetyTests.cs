using GroundingWeb.Evaluation.Datasets;
using GroundingWeb.Tests.Support;

namespace GroundingWeb.Tests.Datasets;

/// <summary>
/// Issue 14 #4, #5, #6: dataset files are size-capped before reading and line-capped while reading, a
/// pickle's length fields are checked against the file, and an image path is used only inside the
/// dataset's folder (links resolved), as a regular file under the size cap. Everything else is a skipped
/// row or a clear error, never an OutOfMemoryException.
/// </summary>
public sealed class DatasetSafetyTests : IDisposable
{
    private readonly TempFolder _temp = new();
    private readonly TempFolder _outside = new();

    public void Dispose()
    {
        _temp.Dispose();
        _outside.Dispose();
    }

    private static string Line(string image, string expression) =>
        $"{{\"image\":{System.Text.Json.JsonSerializer.Serialize(image)},\"expression\":\"{expression}\",\"box\":[0,0,1,1],\"split\":\"val\"}}";

    [Fact]
    public void ImagesOutsideTheDatasetFolderDevicesFoldersAndLinksOutAreSkippedWithTheirReason()
    {
        DatasetFiles.WritePng(_temp.File("images/ok.png"));
        var outsidePng = DatasetFiles.WritePng(_outside.File("elsewhere.png"));
        File.CreateSymbolicLink(_temp.File("images/link-out.png"), outsidePng);
        File.CreateSymbolicLink(_temp.File("images/link-in.png"), _temp.File("images/ok.png"));
        Directory.CreateSymbolicLink(_temp.File("linked-folder"), _outside.Path);
        File.CreateSymbolicLink(_temp.File("images/zero.png"), "/dev/zero");
        File.WriteAllBytes(_temp.File("images/empty.png"), []);
        // A named pipe inside the folder: opening it would block for ever, so it must be refused unopened.
        using (var mkfifo = System.Diagnostics.Process.Start("mkfifo", _temp.File("images/pipe.png")))
        {
            mkfifo.WaitForExit();
            Assert.Equal(0, mkfifo.ExitCode);
        }
        var relativeOut = Path.GetRelativePath(_temp.Path, outsidePng);
        File.WriteAllLines(_temp.File("val.jsonl"),
        [
            Line("images/ok.png", "inside"),
            Line("images/link-in.png", "a link that stays inside"),
            Line("/etc/passwd", "absolute outside"),
            Line(relativeOut, "dot-dot outside"),
            Line("images/link-out.png", "a link out"),
            Line("linked-folder/elsewhere.png", "a folder link out"),
            Line("/dev/zero", "a device"),
            Line("images/zero.png", "a link to a device"),
            Line("images/empty.png", "an empty file"),
            Line("images", "a folder"),
            Line("images/pipe.png", "a pipe"),
        ]);

        var read = DatasetReader.Read(_temp.Path, DatasetFormat.Jsonl);

        Assert.Equal(["inside", "a link that stays inside"], read.Samples.Select(s => s.Expression));
        Assert.All(read.Samples, s => Assert.Equal(_temp.Path, s.ImageRoot));
        var reasons = read.Skipped.ToDictionary(s => s.Row, s => s.Reason);
        Assert.Equal(9, reasons.Count);
        foreach (var row in new long[] { 3, 4, 5, 6, 7, 8 })
        {
            Assert.Contains("outside the dataset's image folder", reasons[row]);
        }
        Assert.Contains("empty or not a regular file", reasons[9]);
        Assert.Contains("is a folder", reasons[10]);
        Assert.Contains("empty or not a regular file", reasons[11]);
    }

    [Fact]
    public void AGigabyteWithoutALineBreakIsRefusedAtTheLineCapAndAFileOverTheCapBeforeReading()
    {
        var sparse = _temp.File("val.jsonl");
        using (var file = File.Create(sparse))
        {
            file.SetLength(1L << 30);
        }
        var allocated = GC.GetAllocatedBytesForCurrentThread();
        var error = Assert.Throws<InvalidDataException>(() => DatasetReader.Read(sparse, DatasetFormat.Jsonl));
        Assert.Contains("line 1 is longer than 1,048,576 characters", error.Message);
        Assert.True(GC.GetAllocatedBytesForCurrentThread() - allocated < 64L << 20, "the read stopped at the cap instead of holding the line");

        using (var file = File.Create(sparse))
        {
            file.SetLength(DatasetLimits.MaxJsonLinesBytes + 1);
        }
        error = Assert.Throws<InvalidDataException>(() => DatasetReader.Read(sparse, DatasetFormat.Jsonl));
        Assert.Contains("over the 2048 MB limit for a JSON Lines file", error.Message);
    }

    [Fact]
    public void APickleClaimingMoreBytesThanItHasIsRefusedBeforeAnythingIsAllocated()
    {
        // The hostile run's 14 bytes: PROTO 2, EMPTY_LIST, BINPUT 0, MARK, BINBYTES of 0x7FFFFFF0 bytes, then "abc".
        byte[] claim = [0x80, 0x02, 0x5D, 0x71, 0x00, 0x28, 0x42, 0xF0, 0xFF, 0xFF, 0x7F, 0x61, 0x62, 0x63];
        File.WriteAllBytes(_temp.File("refs(unc).p"), claim);
        DatasetFiles.WriteInstances(_temp.File("instances.json"), [], []);

        var error = Assert.Throws<InvalidDataException>(() => DatasetReader.Read(_temp.Path, DatasetFormat.Refer));
        Assert.Contains("whose data runs past the end of the file (14 bytes)", error.Message);

        File.WriteAllBytes(_temp.File("refs(unc).p"), [0x80, 0x02, 0x5D, 0xFF, 0x2E]);
        error = Assert.Throws<InvalidDataException>(() => DatasetReader.Read(_temp.Path, DatasetFormat.Refer));
        Assert.Contains("0xFF, which is no pickle opcode", error.Message);

        File.WriteAllBytes(_temp.File("refs(unc).p"), [0x80, 0x02, 0x5D, 0x71, 0x00]);
        error = Assert.Throws<InvalidDataException>(() => DatasetReader.Read(_temp.Path, DatasetFormat.Refer));
        Assert.Contains("ends without the STOP opcode", error.Message);

        using (var file = File.Create(_temp.File("refs(unc).p")))
        {
            file.SetLength(DatasetLimits.MaxPickleBytes + 1);
        }
        error = Assert.Throws<InvalidDataException>(() => DatasetReader.Read(_temp.Path, DatasetFormat.Refer));
        Assert.Contains("over the 256 MB limit for a refs pickle", error.Message);
    }

    [Fact]
    public void RealPicklesOfEveryProtocolStillRead()
    {
        // Razorvine's pickler writes protocol 2 (what the refer toolkit's files are); the check walks it whole.
        DatasetFiles.WritePickle(_temp.File("refs(unc).p"), [DatasetFiles.Ref(1, 10, 100, "val", 1, (5, "The Cat", "the cat"))]);
        DatasetFiles.WriteInstances(_temp.File("instances.json"),
            [new DatasetFiles.CocoImageSpec(100, "COCO_train2014_000000000100.jpg", 2, 2)],
            [new DatasetFiles.CocoAnnotationSpec(10, 100, [0, 0, 1, 1], 1)]);
        DatasetFiles.WritePng(_temp.File("images/COCO_train2014_000000000100.jpg"));

        var read = DatasetReader.Read(_temp.Path, DatasetFormat.Refer);

        Assert.Equal("the cat", read.Samples.Single().Expression);
        Assert.Equal(Path.Combine(_temp.Path, "images"), read.Samples.Single().ImageRoot);
    }

    public static TheoryData<int> PickleProtocols => new(Enumerable.Range(0, 6));

    /// <summary>Pickles Python itself wrote (Fixtures/pickle, protocols 0 to 5) pass the length check and read alike.</summary>
    [Theory]
    [MemberData(nameof(PickleProtocols))]
    public void PicklesPythonWroteInEveryProtocolRead(int protocol)
    {
        File.Copy(Path.Combine(AppContext.BaseDirectory, "Fixtures", "pickle", $"refs-protocol{protocol}.p"), _temp.File("refs(unc).p"));
        DatasetFiles.WriteInstances(_temp.File("instances.json"),
            [new DatasetFiles.CocoImageSpec(100, "COCO_train2014_000000000100.jpg", 2, 2)],
            [new DatasetFiles.CocoAnnotationSpec(10, 100, [0, 0, 1, 1], 1), new DatasetFiles.CocoAnnotationSpec(11, 100, [1, 1, 1, 1], 18)]);
        DatasetFiles.WritePng(_temp.File("images/COCO_train2014_000000000100.jpg"));

        var read = DatasetReader.Read(_temp.Path, DatasetFormat.Refer);

        Assert.Empty(read.Skipped);
        Assert.Equal(["the cat", "cat on the left \u00e9", "dog"], read.Samples.Select(s => s.Expression));
        Assert.Equal(["val", "val", "testA"], read.Samples.Select(s => s.Split));
    }

    /// <summary>The path is checked, then opened: the open handle is checked again, so a link swapped in between cannot lead the read out.</summary>
    [Fact]
    public void AnOpenedFileIsCheckedWhereItReallyIs()
    {
        Assert.SkipUnless(OperatingSystem.IsLinux(), "Linux names an open file's path in /proc/self/fd");
        var inside = DatasetFiles.WritePng(_temp.File("images/ok.png"));
        var outside = DatasetFiles.WritePng(_outside.File("elsewhere.png"));

        using (var stream = File.OpenRead(inside))
        {
            Assert.Null(DatasetImages.OpenedElsewhere(stream, _temp.Path));
        }
        using (var stream = File.OpenRead(outside))
        {
            Assert.Equal(DatasetImages.ResolveLinks(outside), DatasetImages.OpenedElsewhere(stream, _temp.Path));
        }
    }

    [Fact]
    public void ResultsNameImagesRelativeToTheDatasetAndNeverOutsideIt()
    {
        Assert.Equal("images/val/000001.png", DatasetImages.NameWithin("/data/sets/x/images/val/000001.png", "/data/sets/x"));
        Assert.Equal("passwd", DatasetImages.NameWithin("/etc/passwd", "/data/sets/x"));
        Assert.Equal("000001.png", DatasetImages.NameWithin("/data/sets/x/000001.png", null));
    }
}
