using System.Text.Json;
using GroundingWeb.Authoring.Onnx;
using GroundingWeb.Tests.Support;

namespace GroundingWeb.Tests.Cli;

public sealed class BenchCommandTests
{
    private static readonly string Chelsea = RepositoryPaths.Sample("chelsea.png");

    [Fact]
    public void WithJsonEveryMeasurementIsInOneDocument()
    {
        var result = CliRunner.Run("bench", "--bundle", RepositoryPaths.DemoBundle, "--image", Chelsea, "--provider", "cpu", "--iterations", "2",
            "--throughput-images", "2", "--throughput-runs", "1", "--train-steps", "1", "--train-batch", "4", "--json");

        Assert.Equal(0, result.ExitCode);
        using var json = JsonDocument.Parse(result.StdOut);
        var root = json.RootElement;
        Assert.Equal("refshapes-demo", root.GetProperty("bundle").GetString());
        Assert.Equal(451, root.GetProperty("imageWidth").GetInt32());
        var stages = root.GetProperty("stages");
        foreach (var stage in new[] { "decode", "firstPrompt", "vision", "cachedPrompt", "textAndFusion", "fusion", "batch", "batchFusion" })
        {
            var timing = stages.GetProperty(stage);
            Assert.Equal(2, timing.GetProperty("runs").GetInt32());
            Assert.InRange(timing.GetProperty("minMs").GetDouble(), 1e-6, timing.GetProperty("medianMs").GetDouble());
        }
        // The first prompt on an image includes the vision encoder; a cached one does not run it.
        Assert.True(stages.GetProperty("firstPrompt").GetProperty("minMs").GetDouble() >= stages.GetProperty("vision").GetProperty("minMs").GetDouble());
        Assert.Equal(16, root.GetProperty("batchPrompts").GetInt32());

        var throughput = root.GetProperty("throughput");
        Assert.Equal(2, throughput.GetProperty("images").GetInt32());
        Assert.True(throughput.GetProperty("evaluate").GetProperty("medianImagesPerSecond").GetDouble() > 0);
        Assert.True(throughput.GetProperty("features").GetProperty("medianImagesPerSecond").GetDouble() > 0);

        var training = root.GetProperty("training");
        var head = FusionHeadOnnxWriter.ReadConfig(File.ReadAllBytes(Path.Combine(RepositoryPaths.DemoBundle, "fusion.onnx")));
        Assert.Equal(head.ParameterCount, training.GetProperty("parameters").GetInt64());
        Assert.Equal(4, training.GetProperty("batch").GetInt32());
        Assert.True(training.GetProperty("stepsPerSecond").GetDouble() > 0);
        Assert.Equal(JsonValueKind.Null, root.GetProperty("pyTorch").ValueKind);
        Assert.StartsWith("split: image side once per image", root.GetProperty("fusionForm").GetString(), StringComparison.Ordinal);
        Assert.True(stages.GetProperty("imageFusion").GetProperty("minMs").GetDouble() > 0);
        var scaling = root.GetProperty("scaling");
        Assert.Equal(Math.Round(stages.GetProperty("eightPrompts").GetProperty("medianMs").GetDouble() / stages.GetProperty("cachedPrompt").GetProperty("medianMs").GetDouble(), 2),
            scaling.GetProperty("eightOverOne").GetDouble(), 6);
        Assert.True(scaling.GetProperty("firstOverCached").GetDouble() > 1, "a first prompt pays for the vision encoder");
        Assert.Equal($"one shared pool of {Environment.ProcessorCount} thread(s), spinning off", root.GetProperty("threadPool").GetString());
        var hardware = root.GetProperty("hardware");
        Assert.True(hardware.GetProperty("gemmPeak").GetProperty("bestGflops").GetDouble() > 0);
        Assert.True(hardware.GetProperty("vision").GetProperty("gflop").GetDouble() > 1, "ResNet-18 at the demo's input size is several GFLOP");
        Assert.True(hardware.GetProperty("vision").GetProperty("countedOperators").GetProperty("Conv").GetInt32() >= 20);
        var atMedian = hardware.GetProperty("visionShareOfPeakAtMedian").GetDouble();
        Assert.InRange(atMedian, 1e-6, hardware.GetProperty("visionShareOfPeakAtBest").GetDouble());
        Assert.Contains("bench:", result.StdErr);
    }

    [Fact]
    public void OnTheTwinBundleItTimesPyTorchOnTheSameShapesAndGivesTheRatios()
    {
        Requires.PyTorch();
        var result = CliRunner.Run(TimeSpan.FromMinutes(6), "bench", "--bundle", TwinBundle.Folder, "--image", Chelsea, "--provider", "cpu",
            "--iterations", "1", "--throughput-images", "0", "--train-steps", "1", "--train-batch", "2", "--pytorch", "--json");

        Assert.True(result.ExitCode == 0, result.StdErr);
        using var json = JsonDocument.Parse(result.StdOut);
        var root = json.RootElement;
        var peer = root.GetProperty("pyTorch");
        var shapes = peer.GetProperty("head");
        Assert.Equal(201, shapes.GetProperty("image_tokens").GetInt32());
        Assert.Equal(768, shapes.GetProperty("image_dim").GetInt32());
        Assert.Equal(FusionHeadConfig.Reference.ModelDim, shapes.GetProperty("model_dim").GetInt32());
        Assert.Equal(FusionHeadConfig.Reference.Layers, shapes.GetProperty("layers").GetInt32());
        Assert.Equal(root.GetProperty("promptTokens").GetInt32(), shapes.GetProperty("text_tokens").GetInt32());
        Assert.Equal(2, peer.GetProperty("trainStep").GetProperty("batch").GetInt32());

        var ratios = root.GetProperty("ratios");
        foreach (var (key, stage, entry) in new[] { ("vision", "vision", "vitB16"), ("fusionBatch1", "fusion", "headBatch1"), ("fusionBatch16", "batchFusion", "headBatch16") })
        {
            var ratio = ratios.GetProperty(key);
            var ours = root.GetProperty("stages").GetProperty(stage).GetProperty("medianMs").GetDouble();
            var theirs = peer.GetProperty(entry).GetProperty("medianMs").GetDouble();
            Assert.Equal(ours, ratio.GetProperty("oursMedianMs").GetDouble());
            Assert.Equal(theirs, ratio.GetProperty("pyTorchMedianMs").GetDouble());
            Assert.Equal(Math.Round(ours / theirs, 3), ratio.GetProperty("ratio").GetDouble(), 6);
        }
        Assert.Equal(FusionHeadConfig.Reference.ParameterCount, root.GetProperty("training").GetProperty("parameters").GetInt64());
        Assert.True(ratios.GetProperty("trainStep").GetProperty("ratio").GetDouble() > 0);
        Assert.Contains(root.GetProperty("notes").EnumerateArray(), n => n.GetString()!.Contains("--throughput-images 0", StringComparison.Ordinal));
    }

    [Fact]
    public void APythonThatCannotRunIsAClearError()
    {
        var result = CliRunner.Run("bench", "--bundle", RepositoryPaths.DemoBundle, "--image", Chelsea, "--provider", "cpu", "--iterations", "1",
            "--throughput-images", "0", "--train-steps", "0", "--pytorch", "--python", "/nonexistent/python3");

        Assert.Equal(2, result.ExitCode);
        Assert.Contains("error: --pytorch: cannot run '/nonexistent/python3'", result.StdErr);
        Assert.DoesNotContain("   at ", result.StdErr);
    }

    [Fact]
    public void TextReportNamesWhatWasNotMeasured()
    {
        var result = CliRunner.Run("bench", "--bundle", RepositoryPaths.DemoBundle, "--image", Chelsea, "--provider", "cpu", "--iterations", "1",
            "--per-session-pools", "--throughput-images", "0", "--train-steps", "0");

        Assert.Equal(0, result.ExitCode);
        Assert.Contains("of which vision encoder", result.StdOut);
        Assert.Contains("ONNX Runtime threads: a pool per session (a thread per core each, spinning off)", result.StdOut);
        Assert.Contains("hardware: fp32 GEMM peak", result.StdOut);
        Assert.Contains("of which fusion (batch 16)", result.StdOut);
        Assert.Contains("note: evaluate and features throughput not measured (--throughput-images 0).", result.StdOut);
        Assert.Contains("note: training step not measured (--train-steps 0).", result.StdOut);
    }
}
