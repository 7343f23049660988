using System.Diagnostics;
using GroundingWeb.Cli.Training;
using GroundingWeb.Authoring.Onnx;
using GroundingWeb.Tests.Onnx;
using static TorchSharp.torch;

namespace GroundingWeb.Tests.Training;

/// <summary>The exported ONNX (run by ONNX Runtime) against the TorchSharp module (libtorch) with the same weights.</summary>
public class FusionHeadParityTests(ITestOutputHelper output)
{
    private const float Tolerance = 1e-4f;

    [Fact]
    public void SmallConfigMatchesTorchSharp() =>
        AssertParity(new FusionHeadConfig(24, 20, 32, 3, 4, 64), imageTokens: 13, lengths: [7, 4, 2]);

    [Fact]
    public void ReferenceConfigMatchesTorchSharp() =>
        AssertParity(FusionHeadConfig.Reference, imageTokens: 201, lengths: [12, 7, 3]);

    private void AssertParity(FusionHeadConfig config, int imageTokens, int[] lengths)
    {
        var clock = Stopwatch.StartNew();
        var weights = Perturbed(FusionHeadWeights.CreateRandom(config, 11), seed: 12);
        var inputs = FusionHeadInputs.Create(config, imageTokens, lengths, seed: 13);

        using var session = FusionHeadInputs.OpenSession(FusionHeadOnnxWriter.Build(config, weights));
        var onnx = inputs.RunOnnx(session);
        var torchBoxes = RunTorch(config, weights, inputs);

        var maxDifference = onnx.Zip(torchBoxes, (a, b) => Math.Abs(a - b)).Max();
        output.WriteLine($"{config.ToJson()}: max abs difference {maxDifference:E3} over {onnx.Length} values in {clock.Elapsed.TotalSeconds:F1} s");
        Assert.Equal(inputs.Batch * 4, torchBoxes.Length);
        Assert.True(maxDifference <= Tolerance, $"max abs difference {maxDifference} > {Tolerance}");
        // The boxes differ across prompts, so the comparison is not between constants.
        Assert.True(Math.Abs(onnx[0] - onnx[4]) > 1e-4f || Math.Abs(onnx[1] - onnx[5]) > 1e-4f);
    }

    private static float[] RunTorch(FusionHeadConfig config, FusionHeadWeights weights, FusionHeadInputs inputs)
    {
        using var module = new FusionHeadModule(config);
        module.LoadWeights(weights);
        module.eval();
        using var noGrad = no_grad();
        using var scope = NewDisposeScope();
        var image = tensor(inputs.Image, [inputs.Batch, inputs.ImageTokens, config.ImageDim]);
        var text = tensor(inputs.Text, [inputs.Batch, inputs.TextTokens, config.TextDim]);
        var mask = tensor(inputs.Mask, [inputs.Batch, inputs.TextTokens]);
        return module.call(image, text, mask).contiguous().data<float>().ToArray();
    }

    /// <summary>LayerNorm ones/zeros and zero attention biases would hide swapped or ignored tensors; make every value distinct.</summary>
    private static FusionHeadWeights Perturbed(FusionHeadWeights weights, int seed)
    {
        var random = new Random(seed);
        return new FusionHeadWeights(weights.Config, weights.Tensors.Select(t =>
            new NamedTensor(t.Name, t.Shape, t.Data.Select(v => v + (float)((random.NextDouble() - 0.5) * 0.1)).ToArray())));
    }
}
