using System.Text.Json;
using GroundingWeb.Authoring.Demo;
using GroundingWeb.Inference.Bundles;
using GroundingWeb.Inference.Pipeline;
using GroundingWeb.Inference.Runtime;
using GroundingWeb.Tests.Support;

namespace GroundingWeb.Tests.Cli;

public sealed class QuantizeCommandTests
{
    [Fact]
    public void TheDemoTextEncoderQuantizedStaysCloseAndTheNewBundleGrounds()
    {
        using var temp = new TempFolder();
        var output = temp.File("demo-int8");

        var result = CliRunner.Run("quantize", "--bundle", RepositoryPaths.DemoBundle, "--encoder", "text", "--out", output, "--runs", "1", "--json");

        Assert.True(result.ExitCode == 0, result.StdErr);
        using var json = JsonDocument.Parse(result.StdOut);
        var root = json.RootElement;
        Assert.Equal(36, root.GetProperty("summary").GetProperty("quantizedMatMuls").GetInt32());
        var comparison = root.GetProperty("comparison");
        Assert.InRange(comparison.GetProperty("meanCosine").GetDouble(), 0.97, 1.0);
        Assert.True(comparison.GetProperty("int8MedianMs").GetDouble() > 0);
        var manifest = BundleManifest.Read(output);
        Assert.Equal("text.int8.onnx", manifest.Text.File);
        Assert.Null(manifest.Text.Source);
        Assert.NotNull(manifest.Vision.Source);
        Assert.Null(manifest.Provenance!.Metrics);
        Assert.Contains("text.int8.onnx", manifest.Files!.Keys);
        Assert.DoesNotContain("text.onnx", manifest.Files.Keys);
        using var pipeline = GroundingPipeline.Open(output, new InferenceOptions { ExecutionProvider = ExecutionProviderPreference.Cpu, WarmUp = false }, preparers: [new DemoEncoders()]);
        Assert.Single(pipeline.Ground(File.ReadAllBytes(RepositoryPaths.Sample("chelsea.png")), ["the cat"]).Predictions);
    }

    [Fact]
    public void AnUnknownEncoderOrAnExistingFolderIsAClearError()
    {
        using var temp = new TempFolder();

        var unknown = CliRunner.Run("quantize", "--bundle", RepositoryPaths.DemoBundle, "--encoder", "audio", "--out", temp.File("x"));
        var existing = CliRunner.Run("quantize", "--bundle", RepositoryPaths.DemoBundle, "--encoder", "text", "--out", temp.Path);

        Assert.Equal(2, unknown.ExitCode);
        Assert.Contains("--encoder must be 'vision' or 'text'", unknown.StdErr);
        Assert.Equal(2, existing.ExitCode);
        Assert.Contains("already exists", existing.StdErr);
    }

    [Fact]
    public void TheCommittedInt8DemoBundleWritesItsQuantizedTextEncoderFromThePackage()
    {
        var folder = Path.Combine(Path.GetDirectoryName(RepositoryPaths.DemoBundle)!, "demo-int8");

        using var pipeline = GroundingPipeline.Open(folder, new InferenceOptions { ExecutionProvider = ExecutionProviderPreference.Cpu, WarmUp = false }, preparers: [new DemoEncoders()]);

        Assert.Equal("refshapes-demo-int8", pipeline.Manifest.Name);
        var text = global::Onnx.ModelProto.Parser.ParseFrom(File.ReadAllBytes(Path.Combine(folder, pipeline.Manifest.Text.File)));
        Assert.Equal(36, text.Graph.Node.Count(n => n.OpType == "DynamicQuantizeMatMul"));
        Assert.Single(pipeline.Ground(File.ReadAllBytes(RepositoryPaths.Sample("chelsea.png")), ["the cat"]).Predictions);
    }
}
