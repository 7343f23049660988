using GroundingWeb.Cli.Training;
using GroundingWeb.Authoring.Onnx;
using GroundingWeb.Tests.Support;

namespace GroundingWeb.Tests.Training;

[Collection(TorchThreadsCollection.Name)]
public class TrainerTests(ITestOutputHelper output)
{
    private static readonly FusionHeadConfig Config = new(16, 12, 32, 2, 4, 64);
    private static readonly TrainingOptions Options = new() { Epochs = 2, BatchSize = 16, LearningRate = 2e-3, WeightDecay = 1e-4, Seed = 5, WarmupSteps = 2 };
    private static readonly Dictionary<string, string> Provenance = new() { [HeadCheckpoint.TrainedOnKey] = "synthetic", [HeadCheckpoint.CommandKey] = "test" };

    [Fact]
    public void LossFallsOverTwoEpochsAndTheRunFolderIsComplete()
    {
        using var folder = new TempFolder();
        using var train = SyntheticFeatures.Create(192, 6, Config.ImageDim, Config.TextDim, seed: 1);
        using var val = SyntheticFeatures.Create(48, 6, Config.ImageDim, Config.TextDim, seed: 2);
        var log = new StringWriter();

        var summary = new Trainer(Config, Options, log, new TrainingProgress(log, interactive: false)).Run(train, val, folder.Path, resume: false, Provenance);

        output.WriteLine(log.ToString());
        var (first, second) = (summary.History[0], summary.History[1]);
        Assert.True(second.TrainLoss < first.TrainLoss, $"train loss {first.TrainLoss} -> {second.TrainLoss}");
        Assert.True(second.ValLoss < first.ValLoss, $"val loss {first.ValLoss} -> {second.ValLoss}");
        Assert.Contains("Epoch | Train Loss | Train IoU | Val Loss | Val IoU", log.ToString());
        Assert.Contains("samples/s", log.ToString());
        Assert.True(File.Exists(folder.File(Trainer.BestFile)));
        Assert.True(File.Exists(folder.File(Trainer.HistoryFile)));
        Assert.Single(Directory.GetDirectories(folder.Path, "checkpoint-epoch-*"));
        var (weights, metadata) = HeadCheckpoint.Read(folder.File(Trainer.BestFile));
        Assert.Equal(Config, weights.Config);
        Assert.Equal("synthetic", metadata[HeadCheckpoint.TrainedOnKey]);
        Assert.Equal(summary.BestEpoch.ToString(System.Globalization.CultureInfo.InvariantCulture), metadata[HeadCheckpoint.EpochKey]);
    }

    /// <summary>Issue 15: with no-target samples and a presence head, the presence loss teaches it; the table shows its accuracy and AUROC and the best checkpoint the threshold chosen on val.</summary>
    [Fact]
    public void APresenceHeadLearnsFromNoTargetSamples()
    {
        using var folder = new TempFolder();
        using var train = SyntheticFeatures.Create(256, 6, Config.ImageDim, Config.TextDim, seed: 3, noTargetShare: 0.3);
        using var val = SyntheticFeatures.Create(64, 6, Config.ImageDim, Config.TextDim, seed: 4, noTargetShare: 0.3);
        var log = new StringWriter();
        var config = Config with { Presence = true };

        var summary = new Trainer(config, Options with { Epochs = 4, ContrastiveWeight = 0.1 }, log, new TrainingProgress(log, interactive: false))
            .Run(train, val, folder.Path, resume: false, Provenance);

        output.WriteLine(log.ToString());
        Assert.True(train.NoTargetCount > 0 && val.NoTargetCount > 0);
        Assert.Contains("Val Presence Acc | Val AUROC", log.ToString());
        Assert.Contains("no-target samples:", log.ToString());
        var last = summary.History[^1];
        Assert.True(last.ValPresenceAuroc > 0.9, $"val AUROC {last.ValPresenceAuroc}");
        Assert.True(last.ValPresenceAccuracy > 0.8, $"val presence accuracy {last.ValPresenceAccuracy}");
        var (weights, metadata) = HeadCheckpoint.Read(folder.File(Trainer.BestFile));
        Assert.True(weights.Config.Presence);
        Assert.InRange(double.Parse(metadata[HeadCheckpoint.PresenceThresholdKey], System.Globalization.CultureInfo.InvariantCulture), 0.001, 0.999);
    }

    /// <summary>
    /// Training the presence head alone leaves val IoU where it started, so the best checkpoint is the one with
    /// the best val AUROC, not epoch 1 for ever; the boxes stay the starting head's. The start has no presence
    /// head (as stage 3 of the demo recipe), a small learning rate lets AUROC climb over the epochs, and noisy
    /// presence keeps it below 1 so that epochs can differ.
    /// </summary>
    [Fact]
    public void PresenceOnlyKeepsTheEpochWithTheBestAuroc()
    {
        using var start = new TempFolder();
        using var folder = new TempFolder();
        using var train = SyntheticFeatures.Create(256, 6, Config.ImageDim, Config.TextDim, seed: 3, noTargetShare: 0.3, presenceNoise: 3);
        using var val = SyntheticFeatures.Create(64, 6, Config.ImageDim, Config.TextDim, seed: 4, noTargetShare: 0.3, presenceNoise: 3);
        new Trainer(Config, Options with { Epochs = 1 }, TextWriter.Null, new TrainingProgress(TextWriter.Null, interactive: false))
            .Run(train, val, start.Path, resume: false, Provenance);
        var log = new StringWriter();

        var summary = new Trainer(Config with { Presence = true }, Options with { Epochs = 4, PresenceOnly = true, LearningRate = 3e-4 }, log, new TrainingProgress(log, interactive: false))
            .Run(train, val, folder.Path, resume: false, Provenance, initialWeights: LastWeights(start.Path));

        output.WriteLine(log.ToString());
        Assert.Single(summary.History.Select(r => Math.Round(r.ValIou, 6)).Distinct());
        var aurocs = string.Join(", ", summary.History.Select(r => r.ValPresenceAuroc));
        Assert.True(summary.History.All(r => r.ValPresenceAuroc < 1), $"AUROC by epoch: {aurocs}");
        var best = summary.History.MaxBy(r => r.ValPresenceAuroc)!;
        Assert.True(best.Epoch > 1, $"AUROC by epoch: {aurocs}");
        Assert.Equal(best.Epoch, summary.BestEpoch);
        var (_, metadata) = HeadCheckpoint.Read(folder.File(Trainer.BestFile));
        Assert.Equal(best.Epoch.ToString(System.Globalization.CultureInfo.InvariantCulture), metadata[HeadCheckpoint.EpochKey]);
        Assert.Contains("best val AUROC", log.ToString());
    }

    [Fact]
    public void PresenceOnlyWithoutAPresenceHeadIsRefused()
    {
        using var folder = new TempFolder();
        using var data = SyntheticFeatures.Create(32, 6, Config.ImageDim, Config.TextDim, seed: 3, noTargetShare: 0.3);

        var error = Assert.Throws<ArgumentException>(() => new Trainer(Config, Options with { PresenceOnly = true }, TextWriter.Null, new TrainingProgress(TextWriter.Null, interactive: false))
            .Run(data, data, folder.Path, resume: false, Provenance));

        Assert.Contains("--presence", error.Message);
    }

    [Fact]
    public void ResumingAfterAnInterruptionRepeatsTheUninterruptedRun()
    {
        using var straight = new TempFolder();
        using var interrupted = new TempFolder();
        using var train = SyntheticFeatures.Create(80, 6, Config.ImageDim, Config.TextDim, seed: 3);
        using var val = SyntheticFeatures.Create(24, 6, Config.ImageDim, Config.TextDim, seed: 4);
        Trainer NewTrainer() => new(Config, Options, TextWriter.Null, new TrainingProgress(TextWriter.Null, interactive: false));

        var full = NewTrainer().Run(train, val, straight.Path, resume: false, Provenance);
        var firstHalf = NewTrainer().Run(train, val, interrupted.Path, resume: false, Provenance, stopAfterEpoch: 1);
        var resumed = NewTrainer().Run(train, val, interrupted.Path, resume: true, Provenance);

        Assert.Single(firstHalf.History);
        Assert.Equal(2, resumed.History.Count);
        for (var i = 0; i < 2; i++)
        {
            Assert.Equal(full.History[i].TrainLoss, resumed.History[i].TrainLoss, 5);
            Assert.Equal(full.History[i].ValLoss, resumed.History[i].ValLoss, 5);
            Assert.Equal(full.History[i].ValIou, resumed.History[i].ValIou, 5);
        }
        var a = LastWeights(straight.Path);
        var b = LastWeights(interrupted.Path);
        var difference = a.Tensors.Zip(b.Tensors, (x, y) => x.Data.Zip(y.Data, (p, q) => Math.Abs(p - q)).Max()).Max();
        output.WriteLine($"max weight difference after resume: {difference:E3}");
        Assert.True(difference < 1e-5f, $"weights differ by {difference}");
    }

    [Fact]
    public void ResumeRefusesDifferentSettings()
    {
        using var folder = new TempFolder();
        using var train = SyntheticFeatures.Create(32, 4, Config.ImageDim, Config.TextDim, seed: 3);
        new Trainer(Config, Options with { Epochs = 1 }, TextWriter.Null, new TrainingProgress(TextWriter.Null, false)).Run(train, train, folder.Path, false, Provenance);

        var error = Assert.Throws<InvalidOperationException>(() =>
            new Trainer(Config, Options with { Epochs = 1, LearningRate = 1 }, TextWriter.Null, new TrainingProgress(TextWriter.Null, false)).Run(train, train, folder.Path, true, Provenance));
        Assert.Contains("same settings", error.Message);
    }

    [Fact]
    public void InitialWeightsContinueFromTheGivenHeadWithAFreshSchedule()
    {
        using var first = new TempFolder();
        using var warm = new TempFolder();
        using var cold = new TempFolder();
        using var train = SyntheticFeatures.Create(96, 6, Config.ImageDim, Config.TextDim, seed: 6);
        using var val = SyntheticFeatures.Create(24, 6, Config.ImageDim, Config.TextDim, seed: 7);
        Trainer NewTrainer(TrainingOptions options) => new(Config, options, TextWriter.Null, new TrainingProgress(TextWriter.Null, interactive: false));
        var trained = NewTrainer(Options).Run(train, val, first.Path, resume: false, Provenance);
        // A learning rate this small leaves the weights where they start: the first epoch's validation
        // shows which weights the run started from.
        var still = Options with { Epochs = 1, LearningRate = 1e-12, WarmupSteps = 0 };

        var continued = NewTrainer(still).Run(train, val, warm.Path, resume: false, Provenance, initialWeights: LastWeights(first.Path));
        var fresh = NewTrainer(still).Run(train, val, cold.Path, resume: false, Provenance);

        Assert.Equal(trained.History[^1].ValLoss, continued.History[0].ValLoss, 5);
        Assert.Equal(trained.History[^1].ValIou, continued.History[0].ValIou, 5);
        Assert.True(Math.Abs(fresh.History[0].ValLoss - trained.History[^1].ValLoss) > 1e-3, $"a fresh head validates at {fresh.History[0].ValLoss}, the trained one at {trained.History[^1].ValLoss}");
    }

    [Fact]
    public void InitialWeightsOfAnotherShapeAreRefused()
    {
        using var folder = new TempFolder();
        using var train = SyntheticFeatures.Create(16, 4, Config.ImageDim, Config.TextDim, seed: 3);
        var other = new FusionHeadConfig(Config.ImageDim, Config.TextDim, 16, 1, 2, 32);
        using var module = new FusionHeadModule(other, dropout: 0);

        var error = Assert.Throws<ArgumentException>(() =>
            new Trainer(Config, Options with { Epochs = 1 }, TextWriter.Null, new TrainingProgress(TextWriter.Null, false))
                .Run(train, train, folder.Path, false, Provenance, initialWeights: module.ExportWeights()));
        Assert.Contains("weights are for", error.Message);
    }

    [Theory]
    [InlineData(1.0)]
    [InlineData(-0.1)]
    public void DropoutOutsideZeroToOneIsRefused(double dropout)
    {
        var error = Assert.Throws<ArgumentException>(() => (Options with { Dropout = dropout }).Validate());

        Assert.Contains("--dropout in [0, 1)", error.Message);
    }

    [Fact]
    public void CosineScheduleWarmsUpThenDecaysToZero()
    {
        var trainer = new Trainer(Config, Options with { LearningRate = 1, WarmupSteps = 4 }, TextWriter.Null, new TrainingProgress(TextWriter.Null, false));

        Assert.Equal(0.25, trainer.LearningRateAt(0, 104), 9);
        Assert.Equal(1.0, trainer.LearningRateAt(4, 104), 9);
        Assert.Equal(0.5, trainer.LearningRateAt(54, 104), 9);
        Assert.True(trainer.LearningRateAt(103, 104) < 1e-3);
    }

    [Fact]
    public void CudaWithoutCudaSaysSo()
    {
        TorchRuntime.EnsureLoaded();
        if (TorchSharp.torch.cuda.is_available())
        {
            Assert.Skip("CUDA is available here, so the message for machines without it cannot be checked.");
        }
        var error = Assert.Throws<InvalidOperationException>(() => Trainer.ResolveDevice("cuda"));
        Assert.Contains("CUDA is not available", error.Message);
    }

    private static FusionHeadWeights LastWeights(string runDirectory) =>
        HeadCheckpoint.Read(Path.Combine(Directory.GetDirectories(runDirectory, "checkpoint-epoch-*").Single(), "model.safetensors")).Weights;
}
