using GroundingWeb.Evaluation.Datasets;
using GroundingWeb.Tests.Support;
using static GroundingWeb.Tests.Datasets.DatasetFiles;

namespace GroundingWeb.Tests.Datasets;

public sealed class DatasetReaderTests : IDisposable
{
    private readonly TempFolder _temp = new();

    public void Dispose() => _temp.Dispose();

    private string WriteRefer()
    {
        var folder = Directory.CreateDirectory(_temp.File("refcoco")).FullName;
        WritePickle(Path.Combine(folder, "refs(unc).p"),
        [
            Ref(1, 11, 1, "train", 1, (1, "a", "a"), (2, "b", "b")),
            Ref(2, 11, 1, "testB", 1, (3, "c", "c")),
        ]);
        WriteInstances(Path.Combine(folder, "instances.json"), [new(1, "COCO_train2014_000000000001.jpg", 64, 64)], [new(11, 1, [1, 2, 3, 4], 1)]);
        WritePng(Path.Combine(folder, "train2014", "COCO_train2014_000000000001.jpg"));
        return folder;
    }

    private string WriteParquetDataset()
    {
        var images = _temp.File("images");
        ParquetImage(images, 1);
        WriteParquet(_temp.File(Path.Combine("data", "validation-00000-of-00001.parquet")), [Row(1, 11, 1, "validation", [1, 2, 3, 4], 1, (1, "a", "a"))]);
        WriteParquet(_temp.File(Path.Combine("data", "test-00000-of-00001.parquet")), [Row(2, 12, 1, "test", [1, 2, 3, 4], 1, (2, "b", "b"), (3, "c", "c"))]);
        return _temp.Path;
    }

    [Fact]
    public void ReadsEachFormat()
    {
        File.WriteAllText(_temp.File("val.jsonl"), """{"image":"refcoco/train2014/COCO_train2014_000000000001.jpg","expression":"x","box":[1,1,2,2]}""");

        Assert.Equal(3, DatasetReader.Read(WriteRefer(), DatasetFormat.Refer).Samples.Count);
        Assert.Single(DatasetReader.Read(_temp.File("val.jsonl"), DatasetFormat.Jsonl).Samples);
    }

    [Fact]
    public void ReadsParquetSplitsByTheirUncNames()
    {
        var path = WriteParquetDataset();

        Assert.Equal(3, DatasetReader.Read(path, DatasetFormat.Parquet).Samples.Count);
        Assert.Equal(["b", "c"], DatasetReader.Read(path, DatasetFormat.Parquet, "testA").Samples.Select(s => s.Expression));
        Assert.Equal(["a"], DatasetReader.Read(path, DatasetFormat.Parquet, "val").Samples.Select(s => s.Expression));
    }

    [Fact]
    public async Task ReadAsyncGivesWhatReadGivesForEveryFormat()
    {
        File.WriteAllText(_temp.File("val.jsonl"), """{"image":"refcoco/train2014/COCO_train2014_000000000001.jpg","expression":"x","box":[1,1,2,2]}""");
        var cases = new[] { (WriteRefer(), DatasetFormat.Refer), (WriteParquetDataset(), DatasetFormat.Parquet), (_temp.File("val.jsonl"), DatasetFormat.Jsonl) };

        foreach (var (path, format) in cases)
        {
            var expected = DatasetReader.Read(path, format, null, null).Samples;
            var actual = (await DatasetReader.ReadAsync(path, format, null, null)).Samples;
            Assert.Equal(expected, actual);
        }
        Assert.Equal(["b", "c"], (await DatasetReader.ReadAsync(WriteParquetDataset(), DatasetFormat.Parquet, "testA", null)).Samples.Select(s => s.Expression));
        var error = await Assert.ThrowsAsync<ArgumentException>(() => DatasetReader.ReadAsync(WriteParquetDataset(), DatasetFormat.Parquet, "testB", null));
        Assert.Contains("Splits present: ", error.Message);
    }

    [Fact]
    public void AnUnknownSplitListsTheSplitsPresent()
    {
        var error = Assert.Throws<ArgumentException>(() => DatasetReader.Read(WriteRefer(), DatasetFormat.Refer, "validation"));

        Assert.Equal("split", error.ParamName);
        Assert.Contains("'validation'", error.Message);
        Assert.Contains("Splits present: testB, train", error.Message);
    }

    [Fact]
    public void TheParquetSplitIsAskedForByItsUncName()
    {
        var error = Assert.Throws<ArgumentException>(() => DatasetReader.Read(WriteParquetDataset(), DatasetFormat.Parquet, "test"));

        Assert.Contains("Splits present: testA, val", error.Message);
    }

    [Fact]
    public void TakesTheImageFolderAsAnArgument()
    {
        var folder = WriteRefer();
        var moved = _temp.File("coco-images");
        Directory.Move(Path.Combine(folder, "train2014"), moved);

        var result = DatasetReader.Read(folder, DatasetFormat.Refer, "train", moved);

        Assert.All(result.Samples, s => Assert.StartsWith(moved, s.ImagePath, StringComparison.Ordinal));
        Assert.Throws<DirectoryNotFoundException>(() => DatasetReader.Read(folder, DatasetFormat.Refer, null, _temp.File("nowhere")));
    }

    [Fact]
    public void HonoursCancellation()
    {
        var folder = WriteRefer();

        Assert.Throws<OperationCanceledException>(() => DatasetReader.Read(folder, DatasetFormat.Refer, cancellationToken: new CancellationToken(canceled: true)));
    }

    [Theory]
    [InlineData(1L, "person")]
    [InlineData(18L, "dog")]
    [InlineData(90L, "toothbrush")]
    [InlineData(12L, null)]
    [InlineData(91L, null)]
    public void NamesCocoCategoriesById(long id, string? expected) => Assert.Equal(expected, CocoCategories.Name(id));
}
