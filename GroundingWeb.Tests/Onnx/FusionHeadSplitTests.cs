using System.Security.Cryptography;
using GroundingWeb.Authoring.Onnx;
using GroundingWeb.Tests.Support;
using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;

namespace GroundingWeb.Tests.Onnx;

/// <summary>The split form of the fusion head against the whole graph written from the same weights.</summary>
public sealed class FusionHeadSplitTests(ITestOutputHelper output)
{
    private const float Tolerance = 1e-5f;
    private static readonly FusionHeadConfig Small = new(24, 20, 16, 2, 4, 32);

    [Fact]
    public void SmallHeadMatchesTheWholeGraphWithOneImageForEveryPrompt() =>
        AssertParity(Small, FusionHeadWeights.CreateRandom(Small, 5), imageTokens: 9, lengths: [6, 3, 1]);

    [Fact]
    public void ReferenceHeadMatchesTheWholeGraph() =>
        AssertParity(FusionHeadConfig.Reference, FusionHeadWeights.CreateRandom(FusionHeadConfig.Reference, 6), imageTokens: 201, lengths: [12, 7, 3, 9]);

    [Fact]
    public void TheDemoBundlesTrainedHeadMatchesItsSplitForm()
    {
        var whole = File.ReadAllBytes(Path.Combine(RepositoryPaths.DemoBundle, "fusion.onnx"));
        var config = FusionHeadOnnxWriter.ReadConfig(whole);

        AssertParity(config, FusionHeadSplit.ReadWeights(whole, config), imageTokens: 196, lengths: [8, 5, 11], wholeModel: whole);
    }

    [Fact]
    public void EachImageOfABatchGetsItsOwnKeysAndValues()
    {
        var weights = FusionHeadWeights.CreateRandom(Small, 7);
        var inputs = FusionHeadInputs.Create(Small, imageTokens: 5, lengths: [4, 2], seed: 8);
        using var whole = FusionHeadInputs.OpenSession(FusionHeadOnnxWriter.Build(Small, weights));
        using var imageSide = FusionHeadInputs.OpenSession(FusionHeadSplit.BuildImageSide(Small, weights, "test"));
        using var promptSide = FusionHeadInputs.OpenSession(FusionHeadSplit.BuildPromptSide(Small, weights, "test"));

        var expected = inputs.RunOnnx(whole);
        var actual = RunSplit(imageSide, promptSide, inputs, inputs.Image, inputs.Batch);

        AssertClose(expected, actual);
    }

    [Fact]
    public void HalvesHaveTheContractSignatureAndOnlyTheirOwnWeights()
    {
        var weights = FusionHeadWeights.CreateRandom(Small, 1);
        var image = FusionHeadSplit.BuildImageSide(Small, weights, "abc");
        var prompt = FusionHeadSplit.BuildPromptSide(Small, weights, "abc");
        using var imageSide = FusionHeadInputs.OpenSession(image);
        using var promptSide = FusionHeadInputs.OpenSession(prompt);

        Assert.Equal([FusionHeadOnnxWriter.ImageTokensInput], imageSide.InputNames);
        Assert.Equal([FusionHeadOnnxWriter.CrossKeysName, FusionHeadOnnxWriter.CrossValuesName], imageSide.OutputNames);
        Assert.Equal([2, -1, 4, 4, -1], imageSide.OutputMetadata[FusionHeadOnnxWriter.CrossKeysName].Dimensions);
        Assert.Equal([2, -1, 4, -1, 4], imageSide.OutputMetadata[FusionHeadOnnxWriter.CrossValuesName].Dimensions);
        Assert.Equal(
            [FusionHeadOnnxWriter.TextTokensInput, FusionHeadOnnxWriter.TextMaskInput, FusionHeadOnnxWriter.CrossKeysName, FusionHeadOnnxWriter.CrossValuesName],
            promptSide.InputNames);
        Assert.Equal(TensorElementType.Int64, promptSide.InputMetadata[FusionHeadOnnxWriter.TextMaskInput].ElementDataType);
        Assert.Equal([FusionHeadOnnxWriter.BoxesOutput], promptSide.OutputNames);
        Assert.Equal("image", imageSide.ModelMetadata.CustomMetadataMap[FusionHeadSplit.PartKey]);
        Assert.Equal("abc", promptSide.ModelMetadata.CustomMetadataMap[FusionHeadSplit.WholeSha256Key]);
        Assert.Equal(Small, FusionHeadOnnxWriter.ReadConfig(prompt));
        // The image projection lives only on the image side; the prompt side has no use for it.
        var promptGraph = global::Onnx.ModelProto.Parser.ParseFrom(prompt).Graph;
        var imageGraph = global::Onnx.ModelProto.Parser.ParseFrom(image).Graph;
        Assert.DoesNotContain(promptGraph.Initializer, t => t.Name.StartsWith("image_proj.", StringComparison.Ordinal));
        Assert.Contains(imageGraph.Initializer, t => t.Name == "image_proj.weight");
        Assert.DoesNotContain(imageGraph.Initializer, t => t.Name.Contains("linear1", StringComparison.Ordinal));
    }

    [Fact]
    public void WriteBesideRecordsTheWholeGraphsChecksumAndReadsItsWeightsBack()
    {
        using var folder = new TempFolder();
        var weights = FusionHeadWeights.CreateRandom(Small, 2);
        var path = folder.File("head.onnx");
        FusionHeadOnnxWriter.Write(path, Small, weights);

        var (imageSide, promptSide) = FusionHeadSplit.WriteBeside(path);

        Assert.Equal(folder.File("head_image.onnx"), imageSide);
        Assert.Equal(folder.File("head_prompt.onnx"), promptSide);
        var sha = Convert.ToHexStringLower(SHA256.HashData(File.ReadAllBytes(path)));
        Assert.Equal(sha, FusionHeadSplit.RecordedWholeSha256(imageSide));
        Assert.Equal(sha, FusionHeadSplit.RecordedWholeSha256(promptSide));
        Assert.Null(FusionHeadSplit.RecordedWholeSha256(path));
        var read = FusionHeadSplit.ReadWeights(File.ReadAllBytes(path), Small);
        Assert.All(weights.Tensors, t => Assert.Equal(t.Data, read[t.Name].Data));
    }

    [Fact]
    public void AModelThatIsNotOurHeadIsAClearError()
    {
        var model = GroundingWeb.Cli.Bench.GemmPeakProbe.MatMulModel(4, new float[16]);

        var error = Assert.Throws<InvalidDataException>(() => FusionHeadSplit.ReadWeights(model, Small));

        Assert.Contains("no initializer 'image_proj.weight'", error.Message);
    }

    private void AssertParity(FusionHeadConfig config, FusionHeadWeights weights, int imageTokens, int[] lengths, byte[]? wholeModel = null)
    {
        var inputs = FusionHeadInputs.Create(config, imageTokens, lengths, seed: 9);
        // One image for every prompt, as the pipeline has it: tiled for the whole graph, batch 1 for the image side.
        var image = inputs.Image[..(imageTokens * config.ImageDim)];
        var tiled = inputs with { Image = Enumerable.Repeat(image, inputs.Batch).SelectMany(i => i).ToArray() };
        using var whole = FusionHeadInputs.OpenSession(wholeModel ?? FusionHeadOnnxWriter.Build(config, weights));
        using var imageSide = FusionHeadInputs.OpenSession(FusionHeadSplit.BuildImageSide(config, weights, "test"));
        using var promptSide = FusionHeadInputs.OpenSession(FusionHeadSplit.BuildPromptSide(config, weights, "test"));

        var expected = tiled.RunOnnx(whole);
        var actual = RunSplit(imageSide, promptSide, inputs, image, imageBatch: 1);

        output.WriteLine($"{config.ToJson()}: max abs difference {expected.Zip(actual, (a, b) => Math.Abs(a - b)).Max():E2}");
        AssertClose(expected, actual);
        // Prompts of different lengths give different boxes: the comparison is not between constants.
        Assert.True(Math.Abs(expected[0] - expected[4]) > 1e-4f || Math.Abs(expected[1] - expected[5]) > 1e-4f);
    }

    private static float[] RunSplit(InferenceSession imageSide, InferenceSession promptSide, FusionHeadInputs inputs, float[] image, int imageBatch)
    {
        using var imageValue = OrtValue.CreateTensorValueFromMemory(image, [imageBatch, inputs.ImageTokens, inputs.Config.ImageDim]);
        using var runOptions = new RunOptions();
        using var memory = imageSide.Run(runOptions, [FusionHeadOnnxWriter.ImageTokensInput], [imageValue],
            [FusionHeadOnnxWriter.CrossKeysName, FusionHeadOnnxWriter.CrossValuesName]);
        using var text = OrtValue.CreateTensorValueFromMemory(inputs.Text, [inputs.Batch, inputs.TextTokens, inputs.Config.TextDim]);
        using var mask = OrtValue.CreateTensorValueFromMemory(inputs.Mask, [inputs.Batch, inputs.TextTokens]);
        using var boxes = promptSide.Run(runOptions,
            [FusionHeadOnnxWriter.TextTokensInput, FusionHeadOnnxWriter.TextMaskInput, FusionHeadOnnxWriter.CrossKeysName, FusionHeadOnnxWriter.CrossValuesName],
            [text, mask, memory[0], memory[1]], [FusionHeadOnnxWriter.BoxesOutput]);
        Assert.Equal([inputs.Batch, 4L], boxes[0].GetTensorTypeAndShape().Shape);
        return boxes[0].GetTensorDataAsSpan<float>().ToArray();
    }

    private static void AssertClose(float[] expected, float[] actual)
    {
        Assert.Equal(expected.Length, actual.Length);
        var max = expected.Zip(actual, (a, b) => Math.Abs(a - b)).Max();
        Assert.True(max <= Tolerance, $"max abs difference {max:E2} > {Tolerance:E0}");
    }
}
