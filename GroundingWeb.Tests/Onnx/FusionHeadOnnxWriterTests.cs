using GroundingWeb.Authoring.Onnx;
using Microsoft.ML.OnnxRuntime.Tensors;

namespace GroundingWeb.Tests.Onnx;

public class FusionHeadOnnxWriterTests
{
    private static readonly FusionHeadConfig Small = new(24, 20, 16, 2, 4, 32);

    [Fact]
    public void OnnxRuntimeSeesTheContractSignature()
    {
        var model = FusionHeadOnnxWriter.Build(Small, FusionHeadWeights.CreateRandom(Small, 1));

        using var session = FusionHeadInputs.OpenSession(model);

        Assert.Equal(
            [FusionHeadOnnxWriter.ImageTokensInput, FusionHeadOnnxWriter.TextTokensInput, FusionHeadOnnxWriter.TextMaskInput],
            session.InputNames);
        Assert.Equal([FusionHeadOnnxWriter.BoxesOutput], session.OutputNames);
        AssertSignature(session.InputMetadata[FusionHeadOnnxWriter.ImageTokensInput], TensorElementType.Float, [-1, -1, 24], ["B", "N", ""]);
        AssertSignature(session.InputMetadata[FusionHeadOnnxWriter.TextTokensInput], TensorElementType.Float, [-1, -1, 20], ["B", "T", ""]);
        AssertSignature(session.InputMetadata[FusionHeadOnnxWriter.TextMaskInput], TensorElementType.Int64, [-1, -1], ["B", "T"]);
        AssertSignature(session.OutputMetadata[FusionHeadOnnxWriter.BoxesOutput], TensorElementType.Float, [-1, 4], ["B", ""]);
    }

    [Fact]
    public void ConfigRoundTripsThroughMetadata()
    {
        var model = FusionHeadOnnxWriter.Build(Small, FusionHeadWeights.CreateRandom(Small, 1));

        using var session = FusionHeadInputs.OpenSession(model);

        Assert.Equal(Small, FusionHeadOnnxWriter.ReadConfig(model));
        Assert.Equal(Small, FusionHeadConfig.FromJson(session.ModelMetadata.CustomMetadataMap[FusionHeadConfig.MetadataKey]));
        Assert.Equal("GroundingWeb", session.ModelMetadata.ProducerName);
    }

    [Fact]
    public void BoxesAreNormalisedAndPaddingDoesNotChangeThem()
    {
        var model = FusionHeadOnnxWriter.Build(Small, FusionHeadWeights.CreateRandom(Small, 2));
        using var session = FusionHeadInputs.OpenSession(model);
        var padded = FusionHeadInputs.Create(Small, imageTokens: 9, lengths: [6, 3], seed: 3);
        // The second prompt alone, without padding: the same first three tokens.
        var alone = padded with
        {
            Batch = 1,
            TextTokens = 3,
            Image = padded.Image[(9 * 24)..],
            Text = Enumerable.Range(0, 3).SelectMany(t => padded.Text.Skip((6 + t) * 20).Take(20)).ToArray(),
            Mask = [1, 1, 1],
        };

        var paddedBoxes = padded.RunOnnx(session);
        var aloneBoxes = alone.RunOnnx(session);

        Assert.All(paddedBoxes, v => Assert.InRange(v, 0f, 1f));
        for (var i = 0; i < 4; i++)
        {
            Assert.Equal(aloneBoxes[i], paddedBoxes[4 + i], 1e-5f);
        }
    }

    [Fact]
    public void WriteIsAtomicAndLeavesNoTemporaryFiles()
    {
        var directory = Directory.CreateTempSubdirectory("fusion-onnx-");
        try
        {
            var path = Path.Combine(directory.FullName, "nested", "fusion.onnx");
            var weights = FusionHeadWeights.CreateRandom(Small, 4);

            FusionHeadOnnxWriter.Write(path, Small, weights);
            FusionHeadOnnxWriter.Write(path, Small, weights);

            Assert.Equal(FusionHeadOnnxWriter.Build(Small, weights), File.ReadAllBytes(path));
            Assert.Equal(["fusion.onnx"], Directory.GetFiles(Path.GetDirectoryName(path)!).Select(Path.GetFileName));
        }
        finally
        {
            directory.Delete(recursive: true);
        }
    }

    [Fact]
    public void WeightsForAnotherConfigAreRejected()
    {
        var weights = FusionHeadWeights.CreateRandom(Small, 1);

        var error = Assert.Throws<ArgumentException>(() => FusionHeadOnnxWriter.Build(Small with { Layers = 3 }, weights));

        Assert.Contains("\"layers\":3", error.Message);
    }

    private static void AssertSignature(Microsoft.ML.OnnxRuntime.NodeMetadata metadata, TensorElementType type, int[] dims, string[] symbols)
    {
        Assert.True(metadata.IsTensor);
        Assert.Equal(type, metadata.ElementDataType);
        Assert.Equal(dims, metadata.Dimensions);
        Assert.Equal(symbols, metadata.SymbolicDimensions);
    }
}
