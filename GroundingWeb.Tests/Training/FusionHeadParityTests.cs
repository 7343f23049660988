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

    /// <summary>The presence logits of the TorchSharp module and the ONNX graph agree too (issue 15).</summary>
    [Fact]
    public void PresenceHeadMatchesTorchSharp()
    {
        var config = new FusionHeadConfig(24, 20, 32, 2, 4, 64, Presence: true);
        var weights = Perturbed(FusionHeadWeights.CreateRandom(config, 21), seed: 22);
        var inputs = FusionHeadInputs.Create(config, imageTokens: 9, lengths: [6, 2, 4], seed: 23);
        using var session = FusionHeadInputs.OpenSession(FusionHeadOnnxWriter.Build(config, weights));
        using var image = Microsoft.ML.OnnxRuntime.OrtValue.CreateTensorValueFromMemory(inputs.Image, [inputs.Batch, inputs.ImageTokens, config.ImageDim]);
        using var text = Microsoft.ML.OnnxRuntime.OrtValue.CreateTensorValueFromMemory(inputs.Text, [inputs.Batch, inputs.TextTokens, config.TextDim]);
        using var mask = Microsoft.ML.OnnxRuntime.OrtValue.CreateTensorValueFromMemory(inputs.Mask, [inputs.Batch, inputs.TextTokens]);
        using var run = new Microsoft.ML.OnnxRuntime.RunOptions();
        using var outputs = session.Run(run, [FusionHeadOnnxWriter.ImageTokensInput, FusionHeadOnnxWriter.TextTokensInput, FusionHeadOnnxWriter.TextMaskInput],
            [image, text, mask], [FusionHeadConfig.PresenceOutput]);
        var onnx = outputs[0].GetTensorDataAsSpan<float>().ToArray();

        using var module = new FusionHeadModule(config);
        module.LoadWeights(weights);
        module.eval();
        using var noGrad = no_grad();
        using var scope = NewDisposeScope();
        using var predicted = module.Predict(tensor(inputs.Image, [inputs.Batch, inputs.ImageTokens, config.ImageDim]),
            tensor(inputs.Text, [inputs.Batch, inputs.TextTokens, config.TextDim]), tensor(inputs.Mask, [inputs.Batch, inputs.TextTokens]));
        var torchLogits = predicted.PresenceLogits!.contiguous().data<float>().ToArray();

        Assert.Equal(onnx.Length, torchLogits.Length);
        Assert.True(onnx.Zip(torchLogits, (a, b) => Math.Abs(a - b)).Max() <= Tolerance);
        Assert.True(onnx.Max() - onnx.Min() > 1e-4f);
    }

    /// <summary>A head without presence starts one with presence (a fine-tune adding "not in this image"): every other weight is taken over.</summary>
    [Fact]
    public void WeightsWithoutPresenceStartAHeadWithIt()
    {
        var plain = new FusionHeadConfig(24, 20, 32, 2, 4, 64);
        var weights = FusionHeadWeights.CreateRandom(plain, 31);
        using var module = new FusionHeadModule(plain with { Presence = true });

        module.LoadWeights(weights);

        var exported = module.ExportWeights();
        Assert.All(weights.Tensors, t => Assert.Equal(t.Data, exported[t.Name].Data));
        Assert.Equal([1, FusionHeadConfig.HeadHidden], exported["presence.2.weight"].Shape);
        Assert.Throws<ArgumentException>(() => new FusionHeadModule(plain).LoadWeights(exported));
    }

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
