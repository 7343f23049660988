using GroundingWeb.Inference.Demo;
using GroundingWeb.Inference.Onnx;
using Microsoft.ML.OnnxRuntime;

namespace GroundingWeb.Tests.Onnx;

public sealed class ResNetTokenModelComposerTests
{
    private static readonly string Package = NuGetPackageLocator.FindPackageFolder("Microsoft.ML.DnnImageFeaturizer.ResNet18", "0.23.1");
    private static readonly byte[] Preprocess = File.ReadAllBytes(Path.Combine(Package, "tools/DnnImageModels/ResNetPrepOnnx/ResNetPreprocess.onnx"));
    private static readonly byte[] ResNet = File.ReadAllBytes(Path.Combine(Package, "tools/DnnImageModels/ResNet18Onnx/ResNet18.onnx"));

    [Fact]
    public void TokensAverageToThePackagesOwnPooledFeatures()
    {
        // Independent reference: the package's two models run as published, ending in their global
        // average pool. Without the position code, the layer-4 channels of our 196 tokens (each 7x7
        // cell repeated 2x2) must average to that pooled vector.
        using var composed = new InferenceSession(ResNetTokenModelComposer.Compose(Preprocess, ResNet));
        using var preprocess = new InferenceSession(Preprocess);
        using var resNet = new InferenceSession(ResNet);
        var random = new Random(7);
        var pixels = Enumerable.Range(0, 3 * 224 * 224).Select(_ => (float)random.Next(256)).ToArray();
        using var input = OrtValue.CreateTensorValueFromMemory(pixels, [1, 3, 224, 224]);
        using var run = new RunOptions();

        using var tokens = composed.Run(run, ["pixels"], [input], ["image_tokens"]);
        using var prepared = preprocess.Run(run, ["OriginalInput"], [input], ["PreprocessedInput"]);
        using var pooled = resNet.Run(run, ["Input247"], [prepared[0]], ["Pooling395_Output_0"]);

        Assert.Equal([1, 196, 768], tokens[0].GetTensorTypeAndShape().Shape);
        var t = tokens[0].GetTensorDataAsSpan<float>();
        var code = ResNetTokenModelComposer.PositionCode();
        var reference = pooled[0].GetTensorDataAsSpan<float>();
        for (var c = 0; c < 512; c++)
        {
            var mean = 0.0;
            for (var i = 0; i < 196; i++) mean += t[i * 768 + c] - code[i * 768 + c];
            Assert.Equal(reference[c], mean / 196, 1e-4);
        }
    }

    [Fact]
    public void PositionCodeGivesEveryCellItsOwnVector()
    {
        var code = ResNetTokenModelComposer.PositionCode();
        var rows = Enumerable.Range(0, 196).Select(i => string.Join(",", code.Skip(i * 768).Take(768).Select(v => v.ToString("F4")))).ToHashSet();

        Assert.Equal(196, rows.Count);
        Assert.All(code, v => Assert.InRange(v, -1f, 1f));
        Assert.Equal(0f, code[0]);      // sin(row 0)
        Assert.Equal(1f, code[192]);    // cos(row 0)
    }

    [Fact]
    public void ModelWithoutAGraphIsRejected()
    {
        var error = Assert.Throws<InvalidDataException>(() => ResNetTokenModelComposer.Compose(new byte[] { 0x08, 0x03 }, ResNet));

        Assert.Contains("ResNetPreprocess.onnx holds no graph", error.Message);
    }
}
