using System.Text.Json;
using GroundingWeb.Cli.Training;
using GroundingWeb.Inference.Bundles;
using GroundingWeb.Authoring.Onnx;
using GroundingWeb.Evaluation;
using GroundingWeb.Tests.Onnx;
using GroundingWeb.Tests.Support;
using static TorchSharp.torch;

namespace GroundingWeb.Tests.Training;

[Collection(TorchThreadsCollection.Name)]
public class BundleExporterTests(ITestOutputHelper output)
{
    // The demo encoders' widths with a small decoder, so training stays quick.
    private static readonly FusionHeadConfig Config = new(ResNetTokenModelComposer.Width, 384, 32, 2, 4, 64);

    [Fact]
    public void ExportedBundleMatchesTheTrainedCheckpointAndKeepsTheEncoderManifest()
    {
        using var run = new TempFolder();
        using var bundle = new TempFolder();
        using (var train = SyntheticFeatures.Create(48, 5, Config.ImageDim, Config.TextDim, seed: 7))
        {
            new Trainer(Config, new TrainingOptions { Epochs = 2, BatchSize = 16, LearningRate = 1e-3 }, TextWriter.Null, new TrainingProgress(TextWriter.Null, false))
                .Run(train, train, run.Path, resume: false, new Dictionary<string, string> { [HeadCheckpoint.TrainedOnKey] = "synthetic", [HeadCheckpoint.CommandKey] = "grounding train --test" });
        }
        var checkpoint = run.File(Trainer.BestFile);

        var manifest = BundleExporter.Export(checkpoint, RepositoryPaths.DemoBundle, bundle.Path, "trained-demo", "9.9.9");

        var demo = BundleManifest.Read(RepositoryPaths.DemoBundle);
        var written = BundleManifest.Read(bundle.Path);
        Assert.True(written.Trained);
        Assert.Equal("trained-demo", written.Name);
        Assert.Equal("9.9.9", written.Version);
        Assert.Equal(JsonSerializer.Serialize(demo.Vision), JsonSerializer.Serialize(written.Vision));
        Assert.Equal(JsonSerializer.Serialize(demo.Text), JsonSerializer.Serialize(written.Text));
        Assert.Equal(manifest.Provenance!.Notes, written.Provenance!.Notes);
        Assert.Equal("synthetic", written.Provenance!.TrainedOn);
        Assert.Contains("grounding train --test", written.Provenance.Notes);
        Assert.Equal(2, written.Provenance.History!.Count);
        // Metrics belong to the head they measured: the encoder bundle's numbers are not carried over.
        Assert.Null(written.Provenance.Metrics);
        // Sourced encoder files are materialised on first load, not copied; the head comes whole and split.
        Assert.Equal(["bundle.json", "fusion.onnx", "fusion_image.onnx", "fusion_prompt.onnx"], Directory.GetFiles(bundle.Path).Select(Path.GetFileName).Order(StringComparer.Ordinal));
        Assert.Equal("fusion_image.onnx", written.Fusion.ImageSide);
        Assert.Equal("fusion_prompt.onnx", written.Fusion.PromptSide);

        var (weights, _) = HeadCheckpoint.Read(checkpoint);
        var inputs = FusionHeadInputs.Create(Config, imageTokens: 196, lengths: [9, 5, 3], seed: 21);
        using var session = FusionHeadInputs.OpenSession(File.ReadAllBytes(bundle.File("fusion.onnx")));
        var onnx = inputs.RunOnnx(session);
        var torchBoxes = RunTorch(weights, inputs);
        var difference = onnx.Zip(torchBoxes, (a, b) => Math.Abs(a - b)).Max();
        output.WriteLine($"export parity: max abs difference {difference:E3}");
        Assert.True(difference <= 1e-4f, $"max abs difference {difference}");
    }

    [Fact]
    public void RecordsMetricsWithoutTouchingTheRest()
    {
        using var bundle = new TempFolder();
        File.Copy(Path.Combine(RepositoryPaths.DemoBundle, BundleManifest.FileName), bundle.File(BundleManifest.FileName));
        var before = BundleManifest.Read(bundle.Path);

        BundleMetrics.RecordMetrics(bundle.Path, new Dictionary<string, SplitMetrics> { ["val"] = new() { Count = 10, MeanIou = 0.5, AccuracyAt50 = 0.6 } });
        var after = BundleMetrics.RecordMetrics(bundle.Path, new Dictionary<string, SplitMetrics> { ["testA"] = new() { Count = 5, MeanIou = 0.4 } });

        Assert.Equal((before.Provenance?.Metrics?.Keys.ToArray() ?? []).Union(["testA", "val"]).Order(), after.Provenance!.Metrics!.Keys.Order());
        Assert.Equal(0.6, BundleManifest.Read(bundle.Path).Provenance!.Metrics!["val"].AccuracyAt50);
        Assert.Equal(before.Provenance!.TrainedOn, after.Provenance.TrainedOn);
        Assert.Equal(JsonSerializer.Serialize(before.Vision), JsonSerializer.Serialize(after.Vision));
    }

    [Fact]
    public void RefusesEncodersOfOtherWidths()
    {
        using var run = new TempFolder();
        var small = new FusionHeadConfig(16, 12, 8, 1, 2, 16);
        HeadCheckpoint.Write(run.File("h.safetensors"), FusionHeadWeights.CreateRandom(small, 1), new Dictionary<string, string>());

        var error = Assert.Throws<InvalidDataException>(() => BundleExporter.Export(run.File("h.safetensors"), RepositoryPaths.DemoBundle, run.File("out"), null, null));
        Assert.Contains(ResNetTokenModelComposer.Width.ToString(), error.Message);
    }

    private static float[] RunTorch(FusionHeadWeights weights, FusionHeadInputs inputs)
    {
        using var module = new FusionHeadModule(weights.Config);
        module.LoadWeights(weights);
        module.eval();
        using var noGrad = no_grad();
        using var scope = NewDisposeScope();
        var image = tensor(inputs.Image, [inputs.Batch, inputs.ImageTokens, weights.Config.ImageDim]);
        var text = tensor(inputs.Text, [inputs.Batch, inputs.TextTokens, weights.Config.TextDim]);
        var mask = tensor(inputs.Mask, [inputs.Batch, inputs.TextTokens]);
        return module.call(image, text, mask).contiguous().data<float>().ToArray();
    }
}
