using System.Text.Json;
using GroundingWeb.Inference.Bundles;
using GroundingWeb.Tests.Support;

namespace GroundingWeb.Tests.EndToEnd;

/// <summary>
/// The README's training recipe in miniature, through the real CLI: synthesise RefShapes, cache
/// features with the demo encoders, train two epochs, export a bundle and ground with it.
/// </summary>
public sealed class RefShapesTrainingTests
{
    [Fact]
    public void SmallRunLowersTheLossAndExportsAWorkingTrainedBundle()
    {
        using var temp = new TempFolder();
        string Run(params string[] args)
        {
            var result = CliRunner.Run(args);
            Assert.True(result.ExitCode == 0, $"grounding {string.Join(' ', args)} failed: {result.StdErr}");
            return result.StdOut;
        }

        Run("synth", "--out", temp.File("data"), "--seed", "99", "--images", "70", "--val-fraction", "0.15", "--testa-fraction", "0", "--testb-fraction", "0");
        foreach (var split in new[] { "train", "val" })
        {
            Run("features", "--bundle", RepositoryPaths.DemoBundle, "--dataset", temp.File("data"), "--format", "jsonl",
                "--split", split, "--out", temp.File("features"), "--provider", "cpu");
        }
        Run("train", "--features", temp.File("features"), "--out", temp.File("run"), "--epochs", "2", "--batch", "16", "--lr", "1e-3", "--seed", "3",
            // Other test processes run beside this one: one libtorch thread keeps OpenMP from oversubscribing the cores.
            "--threads", "1");
        Run("export", "--checkpoint", Path.Combine(temp.File("run"), "best.safetensors"), "--encoders", RepositoryPaths.DemoBundle,
            "--out", temp.File("bundle"), "--name", "refshapes-e2e");
        var predict = CliRunner.Run("predict", "--bundle", temp.File("bundle"), "--image", RepositoryPaths.Sample("coffee.png"),
            "--prompt", "the red circle", "--provider", "cpu", "--json");

        var history = JsonSerializer.Deserialize<List<EpochRecord>>(File.ReadAllText(Path.Combine(temp.File("run"), "history.json")),
            new JsonSerializerOptions(JsonSerializerDefaults.Web))!;
        Assert.Equal(2, history.Count);
        Assert.True(history[1].TrainLoss < history[0].TrainLoss, $"train loss {history[0].TrainLoss} -> {history[1].TrainLoss}");
        var manifest = BundleManifest.Read(temp.File("bundle"));
        Assert.True(manifest.Trained);
        Assert.Equal(2, manifest.Provenance!.History!.Count);
        Assert.Equal(0, predict.ExitCode);
        Assert.DoesNotContain("UNTRAINED", predict.StdErr);
        Assert.Contains("\"trained\": true", predict.StdOut);
    }
}
