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
        // average pool. The mean of our 49 tokens must equal that pooled vector.
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

        Assert.Equal([1, 49, 512], tokens[0].GetTensorTypeAndShape().Shape);
        var t = tokens[0].GetTensorDataAsSpan<float>();
        var reference = pooled[0].GetTensorDataAsSpan<float>();
        for (var c = 0; c < 512; c++)
        {
            var mean = 0.0;
            for (var i = 0; i < 49; i++) mean += t[i * 512 + c];
            Assert.Equal(reference[c], mean / 49, 1e-4);
        }
    }

    [Fact]
    public void ModelWithoutAGraphIsRejected()
    {
        var error = Assert.Throws<InvalidDataException>(() => ResNetTokenModelComposer.Compose(new byte[] { 0x08, 0x03 }, ResNet));

        Assert.Contains("ResNetPreprocess.onnx holds no graph", error.Message);
    }
}
