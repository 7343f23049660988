using System.Text.Json;
using GroundingWeb.Cli.Features;
using GroundingWeb.Cli.Training;
using GroundingWeb.Evaluation.Datasets;
using GroundingWeb.Inference.Imaging;
using GroundingWeb.Authoring.Onnx;
using GroundingWeb.Tests.Support;

namespace GroundingWeb.Tests.Features;

public class FeatureExtractorTests(DemoBundleFixture demo, ITestOutputHelper output) : IClassFixture<DemoBundleFixture>
{
    [Fact]
    public void CachesEachImageOnceWithTheRuntimesTokensAndResumesBySkippingDoneShards()
    {
        using var folder = new TempFolder();
        var samples = DatasetReader.Read(WriteDataset(folder), DatasetFormat.Jsonl, "train", SamplesFolder).Samples;
        var pipeline = demo.CreatePipeline();
        var outDirectory = folder.File("features");
        var log = new StringWriter();

        var first = new FeatureExtractor(pipeline, log).Run(samples, "test.jsonl", outDirectory, "train", imagesPerShard: 2);

        output.WriteLine(log.ToString());
        Assert.Equal((3, 5, 2, 0), (first.Images, first.Samples, first.ShardsWritten, first.ShardsSkipped));
        Assert.Equal(3, pipeline.VisionEncoderRuns);
        Assert.Contains("images/s", log.ToString());
        var index = File.ReadAllLines(Path.Combine(outDirectory, "train", FeatureExtractor.IndexFile))
            .Select(l => JsonSerializer.Deserialize<FeatureIndexEntry>(l, FeaturesManifest.JsonLineOptions)!).ToList();
        Assert.Equal([0, 1, 2, 3, 4], index.Select(e => e.Sample).Order());
        var astronaut = index.Single(e => e.Expression == "the astronaut");
        Assert.Equal([10f / astronaut.ImageWidth, 20f / astronaut.ImageHeight, 110f / astronaut.ImageWidth, 220f / astronaut.ImageHeight], astronaut.Box!);
        Assert.Equal("person", astronaut.Category);

        // The cached tokens are the runtime's tokens, rounded to float16.
        var (tensors, metadata) = SafeTensorsFile.Read(Path.Combine(outDirectory, "train", astronaut.Shard));
        Assert.Equal("groundingweb-features", metadata["format"]);
        var image = tensors[astronaut.Image];
        Assert.Equal([196L, ResNetTokenModelComposer.Width], image.Shape);
        Assert.Equal(SafeTensorDType.F16, image.DType);
        var runtime = pipeline.EncodeImage(ImageDecoder.Decode(File.ReadAllBytes(RepositoryPaths.Sample("astronaut.png")), pipeline.ImageLimits)).Tokens;
        var cached = image.ToFloats();
        Assert.True(runtime.Zip(cached, (a, b) => Math.Abs(a - b) / Math.Max(1, Math.Abs(a))).Max() < 1e-3);
        var text = tensors[astronaut.Text];
        Assert.Equal(384L, text.Shape[1]);
        Assert.Equal(pipeline.Bundle.Tokenizer.Encode("the astronaut").Length, (int)text.Shape[0]);

        var manifest = FeaturesManifest.Read(outDirectory);
        Assert.Equal((196, ResNetTokenModelComposer.Width, 384), (manifest.ImageTokens, manifest.ImageDim, manifest.TextDim));
        Assert.Equal(5, manifest.Splits["train"].Samples);
        using (var dataset = FeatureDataset.Load(outDirectory, "train"))
        {
            Assert.Equal(5, dataset.Count);
        }

        // An interrupted run: the second shard never landed.
        var doneShard = Path.Combine(outDirectory, "train", FeatureExtractor.ShardName(0));
        var doneTime = File.GetLastWriteTimeUtc(doneShard);
        File.Delete(Path.Combine(outDirectory, "train", FeatureExtractor.ShardName(1)));
        var again = new FeatureExtractor(pipeline, TextWriter.Null).Run(samples, "test.jsonl", outDirectory, "train", imagesPerShard: 2);

        Assert.Equal((1, 1), (again.ShardsWritten, again.ShardsSkipped));
        // Three first time, one for the comparison above, one for the redone shard.
        Assert.Equal(5, pipeline.VisionEncoderRuns);
        Assert.Equal(doneTime, File.GetLastWriteTimeUtc(doneShard));
        Assert.Equal(5, File.ReadAllLines(Path.Combine(outDirectory, "train", FeatureExtractor.IndexFile)).Length);

        var changed = samples.Take(4).ToList();
        var error = Assert.Throws<InvalidOperationException>(() => new FeatureExtractor(pipeline, TextWriter.Null).Run(changed, "test.jsonl", outDirectory, "train", 2));
        Assert.Contains("new --out", error.Message);
    }

    [Fact]
    public void SkipsUnreadableImagesAndSaysSo()
    {
        using var folder = new TempFolder();
        File.WriteAllText(folder.File("broken.png"), "not an image");
        var samples = new List<GroundingSample>
        {
            new() { ImagePath = folder.File("broken.png"), Expression = "x", Box = new(0, 0, 1, 1), Split = "val" },
            new() { ImagePath = RepositoryPaths.Sample("coffee.png"), Expression = "the cup", Box = new(1, 2, 30, 40), Split = "val" },
        };
        var log = new StringWriter();

        var result = new FeatureExtractor(demo.CreatePipeline(), log).Run(samples, "inline", folder.File("f"), "val", 8);

        Assert.Equal((1, 1), (result.SkippedImages, result.SkippedSamples));
        Assert.Contains("broken.png", log.ToString());
        Assert.Single(File.ReadAllLines(Path.Combine(folder.File("f"), "val", FeatureExtractor.IndexFile)));
    }

    [Fact]
    public void SkipsImagesWhoseDecodedSizeDiffersFromTheDatasets()
    {
        using var folder = new TempFolder();
        var samples = new List<GroundingSample>
        {
            // coffee.png is 600x400; a dataset that says 400x600 annotated another orientation.
            new() { ImagePath = RepositoryPaths.Sample("coffee.png"), Expression = "the cup", Box = new(1, 2, 30, 40), Split = "val", ImageWidth = 400, ImageHeight = 600 },
            new() { ImagePath = RepositoryPaths.Sample("chelsea.png"), Expression = "the cat", Box = new(1, 2, 30, 40), Split = "val", ImageWidth = 451, ImageHeight = 300 },
        };
        var log = new StringWriter();

        var result = new FeatureExtractor(demo.CreatePipeline(), log).Run(samples, "inline", folder.File("f"), "val", 8);

        Assert.Equal((1, 1), (result.SkippedImages, result.SkippedSamples));
        Assert.Contains("decodes to 600x400 but the dataset states 400x600", log.ToString());
    }

    /// <summary>features -> train -> export through the real CLI on three images (one epoch of a tiny head).</summary>
    [Fact]
    public void CommandLineRunsFeaturesTrainAndExport()
    {
        using var folder = new TempFolder();
        var dataset = WriteDataset(folder);
        File.Copy(dataset, folder.File("val.jsonl"));
        File.WriteAllText(folder.File("val.jsonl"), File.ReadAllText(dataset).Replace("\"train\"", "\"val\"", StringComparison.Ordinal));
        var features = folder.File("features");

        foreach (var split in new[] { "train", "val" })
        {
            var run = CliRunner.Run("features", "--bundle", RepositoryPaths.DemoBundle, "--dataset", split == "train" ? dataset : folder.File("val.jsonl"),
                "--format", "jsonl", "--split", split, "--images", SamplesFolder, "--out", features, "--provider", "cpu");
            output.WriteLine(run.StdOut);
            Assert.True(run.ExitCode == 0, run.StdErr);
        }
        var train = CliRunner.Run("train", "--features", features, "--out", folder.File("run"), "--epochs", "1", "--batch", "2", "--threads", "1",
            "--model-dim", "16", "--layers", "1", "--heads", "2", "--feed-forward", "32");
        output.WriteLine(train.StdOut);
        Assert.True(train.ExitCode == 0, train.StdErr);
        Assert.Contains("Epoch | Train Loss | Train IoU | Val Loss | Val IoU", train.StdOut);

        // A second feature folder's train split joins the first; a warm start takes the head's shape from its checkpoint.
        var more = folder.File("more.jsonl");
        File.Copy(dataset, more);
        var moreFeatures = folder.File("more-features");
        Assert.Equal(0, CliRunner.Run("features", "--bundle", RepositoryPaths.DemoBundle, "--dataset", more, "--format", "jsonl", "--split", "train",
            "--images", SamplesFolder, "--out", moreFeatures, "--provider", "cpu").ExitCode);
        var warm = CliRunner.Run("train", "--features", features, "--extra-features", moreFeatures, "--out", folder.File("warm"), "--epochs", "1", "--batch", "2", "--threads", "1",
            "--init", Path.Combine(folder.File("run"), "best.safetensors"));
        output.WriteLine(warm.StdOut);
        Assert.True(warm.ExitCode == 0, warm.StdErr);
        Assert.Contains("train: 10 samples", warm.StdOut);
        var (warmWeights, warmMetadata) = HeadCheckpoint.Read(Path.Combine(folder.File("warm"), "best.safetensors"));
        Assert.Equal(16, warmWeights.Config.ModelDim);
        Assert.Contains("starting from", warmMetadata[HeadCheckpoint.TrainedOnKey]);
        var contradicted = CliRunner.Run("train", "--features", features, "--out", folder.File("warm2"), "--model-dim", "32",
            "--init", Path.Combine(folder.File("run"), "best.safetensors"));
        Assert.Equal(2, contradicted.ExitCode);
        Assert.Contains("--model-dim", contradicted.StdErr);

        // Data without no-target samples gets them borrowed from other images' expressions, val too.
        var borrowing = CliRunner.Run("train", "--features", features, "--out", folder.File("borrow"), "--epochs", "1", "--batch", "2", "--threads", "1",
            "--model-dim", "16", "--layers", "1", "--heads", "2", "--feed-forward", "32", "--presence", "--borrow-negatives", "1");
        output.WriteLine(borrowing.StdOut);
        Assert.True(borrowing.ExitCode == 0, borrowing.StdErr);
        Assert.Contains("borrowed negatives: 3 in train, 3 in val", borrowing.StdOut);
        Assert.Contains("Val AUROC", borrowing.StdOut);
        Assert.Contains("3 of them borrowed negatives", HeadCheckpoint.Read(Path.Combine(folder.File("borrow"), "best.safetensors")).Metadata[HeadCheckpoint.TrainedOnKey]);
        var withoutPresence = CliRunner.Run("train", "--features", features, "--out", folder.File("borrow2"), "--borrow-negatives", "1");
        Assert.Equal(2, withoutPresence.ExitCode);
        Assert.Contains("add --presence", withoutPresence.StdErr);

        var export = CliRunner.Run("export", "--checkpoint", Path.Combine(folder.File("run"), "best.safetensors"), "--encoders", RepositoryPaths.DemoBundle,
            "--out", folder.File("bundle"), "--version", "9.9.9");
        Assert.True(export.ExitCode == 0, export.StdErr);
        Assert.Contains("9.9.9", File.ReadAllText(Path.Combine(folder.File("bundle"), "bundle.json")));

        var cuda = CliRunner.Run("train", "--features", features, "--out", folder.File("run2"), "--device", "cuda");
        if (cuda.ExitCode != 0)
        {
            Assert.Contains("CUDA is not available", cuda.StdErr);
        }
    }

    // The lines name the repository's sample images by absolute path: outside the dataset's folder, so named as its image folder.
    private static string SamplesFolder => Path.GetDirectoryName(RepositoryPaths.Sample("chelsea.png"))!;

    private static string WriteDataset(TempFolder folder)
    {
        var path = folder.File("train.jsonl");
        string Line(string image, string expression, string box, string category) =>
            $$"""{"image": "{{RepositoryPaths.Sample(image).Replace("\\", "/", StringComparison.Ordinal)}}", "expression": "{{expression}}", "box": [{{box}}], "boxFormat": "xywh", "split": "train", "category": "{{category}}"}""";
        File.WriteAllLines(path,
        [
            Line("astronaut.png", "the astronaut", "10, 20, 100, 200", "person"),
            Line("chelsea.png", "the cat", "5, 5, 50, 60", "cat"),
            Line("astronaut.png", "the flag on the left", "0, 0, 30, 40", "flag"),
            Line("coffee.png", "the coffee cup", "20, 30, 200, 150", "cup"),
            Line("chelsea.png", "the cat's ear on the right side", "40, 10, 20, 20", "cat"),
        ]);
        return path;
    }
}
