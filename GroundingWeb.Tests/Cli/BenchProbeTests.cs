using GroundingWeb.Cli.Bench;
using Microsoft.ML.OnnxRuntime;

namespace GroundingWeb.Tests.Cli;

/// <summary>The bench's hardware figures: the counted work of a model, and the GEMM probe's own graph.</summary>
public sealed class BenchProbeTests
{
    [Fact]
    public void ModelWorkOfOneMatMulIsTwiceItsMultiplyAdds()
    {
        const int size = 96;
        var path = Path.Combine(Directory.CreateTempSubdirectory("grounding-flops-test-").FullName, "matmul.onnx");
        File.WriteAllBytes(path, GemmPeakProbe.MatMulModel(size, new float[size * size]));
        try
        {
            var work = ModelFlops.Count(path, _ => [("a", OrtValue.CreateTensorValueFromMemory(new float[size * size], [size, size]))]);

            Assert.Equal(Math.Round(2.0 * size * size * size / 1e9, 3), work.Gflop);
            Assert.Equal(1, Assert.Single(work.CountedOperators).Value);
            Assert.Empty(Directory.GetFiles(Path.GetDirectoryName(path)!, "*.json"));
        }
        finally
        {
            Directory.Delete(Path.GetDirectoryName(path)!, recursive: true);
        }
    }

    [Fact]
    public void TheGemmProbeGivesAPositiveRateForTheThreadsItWasGiven()
    {
        var peak = GemmPeakProbe.Run(threads: 1, runs: 1);

        Assert.Equal(1, peak.Threads);
        Assert.Contains(peak.Size, new[] { 480, 720, 1200 });
        Assert.InRange(peak.MedianGflops, 0.1, peak.BestGflops);
    }
}
