using GroundingWeb.Authoring.Demo;
using GroundingWeb.Authoring.Onnx;
using Microsoft.ML.OnnxRuntime;

namespace GroundingWeb.Tests.Onnx;

public sealed class ResNetTokenModelComposerTests
{
    private static readonly string Package = NuGetPackageLocator.FindPackageFolder("Microsoft.ML.DnnImageFeaturizer.ResNet18", "0.23.1");
    private static readonly byte[] Preprocess = File.ReadAllBytes(Path.Combine(Package, "tools/DnnImageModels/ResNetPrepOnnx/ResNetPreprocess.onnx"));
    private const int Tokens = ResNetTokenModelComposer.Tokens, Width = ResNetTokenModelComposer.Width, GridSide = ResNetTokenModelComposer.GridSide;
    private static readonly byte[] ResNet = File.ReadAllBytes(Path.Combine(Package, "tools/DnnImageModels/ResNet18Onnx/ResNet18.onnx"));

    [Fact]
    public void Layer4ChannelsAverageToThePackagesOwnPooledFeatures()
    {
        // Independent reference: the package's two models run as published, ending in their global
        // average pool. The layer-4 channels of our 196 tokens (each 7x7 cell repeated 2x2, scaled)
        // must average to that pooled vector.
        using var preprocess = new InferenceSession(Preprocess);
        using var resNet = new InferenceSession(ResNet);
        var pixels = RandomPixels(seed: 7);
        using var input = OrtValue.CreateTensorValueFromMemory(pixels, [1, 3, 224, 224]);
        using var run = new RunOptions();

        var (shape, t) = Run(pixels);
        using var prepared = preprocess.Run(run, ["OriginalInput"], [input], ["PreprocessedInput"]);
        using var pooled = resNet.Run(run, ["Input247"], [prepared[0]], ["Pooling395_Output_0"]);

        Assert.Equal([1, Tokens, Width], shape);
        var reference = pooled[0].GetTensorDataAsSpan<float>();
        for (var c = 0; c < 512; c++)
        {
            var mean = 0.0;
            for (var i = 0; i < Tokens; i++) mean += t[i * Width + ResNetTokenModelComposer.Layer4Start + c];
            Assert.Equal(reference[c], mean / Tokens / ResNetTokenModelComposer.Layer4Scale, 1e-4);
        }
    }

    [Fact]
    public void ColourChannelsHoldEachCellsFourPixelBlockMeans()
    {
        var pixels = RandomPixels(seed: 11);
        var (_, tokens) = Run(pixels);

        const int cell = 224 / GridSide;
        var blocks = ResNetTokenModelComposer.ColourBlocksPerSide;
        foreach (var (row, column) in new[] { (0, 0), (3, 5), (GridSide - 1, GridSide - 1), (6, 0) })
        for (var blockRow = 0; blockRow < blocks; blockRow++)
        for (var blockColumn = 0; blockColumn < blocks; blockColumn++)
        for (var c = 0; c < 3; c++)
        {
            var sum = 0.0;
            for (var dy = 0; dy < 4; dy++)
            for (var dx = 0; dx < 4; dx++)
            {
                var y = row * cell + blockRow * 4 + dy;
                var x = column * cell + blockColumn * 4 + dx;
                sum += pixels[(c * 224 + y) * 224 + x];
            }
            var expected = (sum / 16 - 127.5) / 127.5;
            var channel = ResNetTokenModelComposer.ColourStart + (blockRow * blocks + blockColumn) * 3 + c;
            Assert.Equal(expected, tokens[(row * GridSide + column) * Width + channel], 1e-5);
        }
    }

    [Fact]
    public void PositionChannelsAreTheCodeAndTellEveryCellApart()
    {
        var (_, tokens) = Run(RandomPixels(seed: 3));
        var code = ResNetTokenModelComposer.PositionCode();
        const int channels = ResNetTokenModelComposer.PositionChannels;

        var rows = new HashSet<string>();
        for (var token = 0; token < Tokens; token++)
        {
            var values = new float[channels];
            for (var c = 0; c < channels; c++)
            {
                values[c] = tokens[token * Width + ResNetTokenModelComposer.PositionStart + c];
                Assert.Equal(code[c * Tokens + token], values[c]);
            }
            rows.Add(string.Join(",", values.Select(v => v.ToString("F4"))));
        }
        Assert.Equal(Tokens, rows.Count);
        Assert.All(code, v => Assert.InRange(v, -1f, 1f));
        // The ramps: row ramp of the top-left cell, column ramp of the bottom-right cell.
        Assert.Equal(0.5 / GridSide * 2 - 1, code[0], 1e-6);
        Assert.Equal((GridSide - 0.5) / GridSide * 2 - 1, code[(1 + 2 * ResNetTokenModelComposer.PositionFrequencies + 1) * Tokens - 1], 1e-6);
    }

    [Fact]
    public void ModelWithoutAGraphIsRejected()
    {
        var error = Assert.Throws<InvalidDataException>(() => ResNetTokenModelComposer.Compose(new byte[] { 0x08, 0x03 }, ResNet));

        Assert.Contains("ResNetPreprocess.onnx holds no graph", error.Message);
    }

    private static float[] RandomPixels(int seed)
    {
        var random = new Random(seed);
        return Enumerable.Range(0, 3 * 224 * 224).Select(_ => (float)random.Next(256)).ToArray();
    }

    private static (long[] Shape, float[] Tokens) Run(float[] pixels)
    {
        using var session = new InferenceSession(ResNetTokenModelComposer.Compose(Preprocess, ResNet));
        using var input = OrtValue.CreateTensorValueFromMemory(pixels, [1, 3, 224, 224]);
        using var run = new RunOptions();
        using var tokens = session.Run(run, ["pixels"], [input], ["image_tokens"]);
        return (tokens[0].GetTensorTypeAndShape().Shape, tokens[0].GetTensorDataAsSpan<float>().ToArray());
    }
}
