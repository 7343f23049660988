using GroundingWeb.Authoring.Onnx;
using Microsoft.ML.OnnxRuntime;

namespace GroundingWeb.Tests.Onnx;

/// <summary>A random batch for the fusion head: prompts of different lengths padded to the longest, with garbage in the padding.</summary>
internal sealed record FusionHeadInputs(int Batch, int ImageTokens, int TextTokens, float[] Image, float[] Text, long[] Mask, FusionHeadConfig Config)
{
    public static FusionHeadInputs Create(FusionHeadConfig config, int imageTokens, int[] lengths, int seed)
    {
        var random = new Random(seed);
        var batch = lengths.Length;
        var textTokens = lengths.Max();
        var image = Normal(random, batch * imageTokens * config.ImageDim);
        var text = Normal(random, batch * textTokens * config.TextDim);
        var mask = new long[batch * textTokens];
        for (var b = 0; b < batch; b++)
        {
            for (var t = 0; t < lengths[b]; t++)
            {
                mask[b * textTokens + t] = 1;
            }
        }
        return new FusionHeadInputs(batch, imageTokens, textTokens, image, text, mask, config);
    }

    /// <summary>Runs the model in ONNX Runtime (CPU) and returns boxes [B, 4] flattened.</summary>
    public float[] RunOnnx(InferenceSession session)
    {
        using var image = OrtValue.CreateTensorValueFromMemory(Image, [Batch, ImageTokens, Config.ImageDim]);
        using var text = OrtValue.CreateTensorValueFromMemory(Text, [Batch, TextTokens, Config.TextDim]);
        using var mask = OrtValue.CreateTensorValueFromMemory(Mask, [Batch, TextTokens]);
        using var runOptions = new RunOptions();
        using var outputs = session.Run(
            runOptions,
            [FusionHeadOnnxWriter.ImageTokensInput, FusionHeadOnnxWriter.TextTokensInput, FusionHeadOnnxWriter.TextMaskInput],
            [image, text, mask],
            [FusionHeadOnnxWriter.BoxesOutput]);
        Assert.Equal([Batch, 4L], outputs[0].GetTensorTypeAndShape().Shape);
        return outputs[0].GetTensorDataAsSpan<float>().ToArray();
    }

    public static InferenceSession OpenSession(byte[] model)
    {
        using var options = new SessionOptions { IntraOpNumThreads = 1 };
        return new InferenceSession(model, options);
    }

    private static float[] Normal(Random random, int count)
    {
        var values = new float[count];
        for (var i = 0; i < count; i++)
        {
            values[i] = (float)(Math.Sqrt(-2 * Math.Log(1 - random.NextDouble())) * Math.Cos(2 * Math.PI * random.NextDouble()));
        }
        return values;
    }
}
