using GroundingWeb.Authoring.Onnx;
using Microsoft.ML.OnnxRuntime;

namespace GroundingWeb.Tests.Onnx;

/// <summary>
/// The optional presence head (issue 15): a second output <c>presence</c> [B, 1] (a logit) in the whole graph
/// and the split form's prompt side, from the same weights; a config without it writes exactly what it wrote before.
/// </summary>
public sealed class PresenceHeadTests
{
    private static readonly FusionHeadConfig Small = new(24, 20, 16, 2, 4, 32, Presence: true);

    [Fact]
    public void TheWholeGraphAndItsSplitFormGiveTheSamePresence()
    {
        var weights = FusionHeadWeights.CreateRandom(Small, 11);
        var inputs = FusionHeadInputs.Create(Small, imageTokens: 7, lengths: [5, 2, 4], seed: 3);
        var image = inputs.Image[..(7 * Small.ImageDim)];
        var tiled = inputs with { Image = Enumerable.Repeat(image, inputs.Batch).SelectMany(i => i).ToArray() };
        using var whole = FusionHeadInputs.OpenSession(FusionHeadOnnxWriter.Build(Small, weights));
        using var imageSide = FusionHeadInputs.OpenSession(FusionHeadSplit.BuildImageSide(Small, weights, "test"));
        using var promptSide = FusionHeadInputs.OpenSession(FusionHeadSplit.BuildPromptSide(Small, weights, "test"));

        Assert.Equal([FusionHeadOnnxWriter.BoxesOutput, FusionHeadConfig.PresenceOutput], whole.OutputNames);
        Assert.Equal([FusionHeadOnnxWriter.BoxesOutput, FusionHeadConfig.PresenceOutput], promptSide.OutputNames);
        Assert.Equal([-1, 1], whole.OutputMetadata[FusionHeadConfig.PresenceOutput].Dimensions);

        var expected = RunWhole(whole, tiled);
        var actual = RunSplit(imageSide, promptSide, inputs, image);
        Assert.Equal(inputs.Batch, expected.Length);
        Assert.True(expected.Zip(actual, (a, b) => Math.Abs(a - b)).Max() <= 1e-5f);
        // Different prompts give different logits: the comparison is not between constants.
        Assert.True(expected.Max() - expected.Min() > 1e-4f);
    }

    [Fact]
    public void WithoutPresenceTheConfigAndGraphAreAsBefore()
    {
        var plain = Small with { Presence = false };

        Assert.DoesNotContain("presence", plain.ToJson());
        Assert.Equal(plain, FusionHeadConfig.FromJson(plain.ToJson()));
        Assert.Equal(Small, FusionHeadConfig.FromJson(Small.ToJson()));
        Assert.Equal(4, Small.ParameterShapes().Count - plain.ParameterShapes().Count);
        using var session = FusionHeadInputs.OpenSession(FusionHeadOnnxWriter.Build(plain, FusionHeadWeights.CreateRandom(plain, 1)));
        Assert.Equal([FusionHeadOnnxWriter.BoxesOutput], session.OutputNames);
    }

    private static float[] RunWhole(InferenceSession session, FusionHeadInputs inputs)
    {
        using var image = OrtValue.CreateTensorValueFromMemory(inputs.Image, [inputs.Batch, inputs.ImageTokens, Small.ImageDim]);
        using var text = OrtValue.CreateTensorValueFromMemory(inputs.Text, [inputs.Batch, inputs.TextTokens, Small.TextDim]);
        using var mask = OrtValue.CreateTensorValueFromMemory(inputs.Mask, [inputs.Batch, inputs.TextTokens]);
        using var run = new RunOptions();
        using var outputs = session.Run(run, [FusionHeadOnnxWriter.ImageTokensInput, FusionHeadOnnxWriter.TextTokensInput, FusionHeadOnnxWriter.TextMaskInput],
            [image, text, mask], [FusionHeadConfig.PresenceOutput]);
        return outputs[0].GetTensorDataAsSpan<float>().ToArray();
    }

    private static float[] RunSplit(InferenceSession imageSide, InferenceSession promptSide, FusionHeadInputs inputs, float[] image)
    {
        using var imageValue = OrtValue.CreateTensorValueFromMemory(image, [1, inputs.ImageTokens, Small.ImageDim]);
        using var run = new RunOptions();
        using var memory = imageSide.Run(run, [FusionHeadOnnxWriter.ImageTokensInput], [imageValue], [FusionHeadOnnxWriter.CrossKeysName, FusionHeadOnnxWriter.CrossValuesName]);
        using var text = OrtValue.CreateTensorValueFromMemory(inputs.Text, [inputs.Batch, inputs.TextTokens, Small.TextDim]);
        using var mask = OrtValue.CreateTensorValueFromMemory(inputs.Mask, [inputs.Batch, inputs.TextTokens]);
        using var outputs = promptSide.Run(run,
            [FusionHeadOnnxWriter.TextTokensInput, FusionHeadOnnxWriter.TextMaskInput, FusionHeadOnnxWriter.CrossKeysName, FusionHeadOnnxWriter.CrossValuesName],
            [text, mask, memory[0], memory[1]], [FusionHeadConfig.PresenceOutput]);
        return outputs[0].GetTensorDataAsSpan<float>().ToArray();
    }
}
