using System.Text.Json.Nodes;
using GroundingWeb.Authoring.Demo;
using GroundingWeb.Inference.Bundles;
using GroundingWeb.Tests.Support;

namespace GroundingWeb.Tests.Bundles;

public sealed class BundleLoaderTests(DemoBundleFixture demo) : IClassFixture<DemoBundleFixture>
{
    [Fact]
    public void DemoBundleLoadsWithItsDeclaredSignatures()
    {
        var m = demo.Bundle.Manifest;

        Assert.Equal("CPU", demo.Bundle.Provider);
        Assert.Equal(30522, demo.Bundle.Tokenizer.VocabularySize);
        // The ResNet-18 export fixes its batch dimension at 1; the manifest states tokens and width.
        Assert.Equal([1, m.Vision.Tokens, m.Vision.Width], demo.Bundle.Vision.Outputs[m.Vision.Output].Dimensions);
        // The demo gives its fusion head in the split form, written from the committed fusion.onnx.
        Assert.True(demo.Bundle.SplitFusion);
        Assert.Null(demo.Bundle.Fusion);
        Assert.Contains(m.Fusion.TextMask, demo.Bundle.FusionPromptSide!.Inputs.Keys);
        Assert.Contains(FusionHeadManifest.CrossKeys, demo.Bundle.FusionImageSide!.Outputs.Keys);
    }

    [Fact]
    public void WithoutTheSplitFieldsTheWholeGraphIsLoadedAsBefore()
    {
        using var copy = CopyDemo(WholeGraph);

        using var bundle = new BundleLoader(demo.Providers, [new DemoEncoders()]).Load(copy.Path);

        Assert.False(bundle.SplitFusion);
        Assert.Contains(bundle.Manifest.Fusion.ImageTokens, bundle.Fusion!.Inputs.Keys);
        Assert.StartsWith("whole graph", bundle.FusionForm, StringComparison.Ordinal);
    }

    [Fact]
    public void OneSplitFieldWithoutTheOtherIsRefused()
    {
        using var copy = CopyDemo(json => json["fusion"]!.AsObject().Remove("promptSide"));

        var error = Assert.Throws<BundleException>(() => Load(copy.Path));

        Assert.Contains("'fusion.imageSide' and 'fusion.promptSide' go together", error.Message);
    }

    [Fact]
    public void HalvesOfAnotherHeadAreRefusedAsStale()
    {
        using var copy = CopyDemo(_ => { });
        // Halves made from some other head, then fusion.onnx left as it is: they no longer belong to it.
        var other = GroundingWeb.Authoring.Onnx.FusionHeadOnnxWriter.ReadConfig(File.ReadAllBytes(copy.File("fusion.onnx")));
        var weights = GroundingWeb.Authoring.Onnx.FusionHeadWeights.CreateRandom(other, 99);
        File.Delete(copy.File("fusion_image.onnx"));
        File.Delete(copy.File("fusion_prompt.onnx"));
        File.WriteAllBytes(copy.File("fusion_image.onnx"), GroundingWeb.Authoring.Onnx.FusionHeadSplit.BuildImageSide(other, weights, new string('0', 64)));
        File.WriteAllBytes(copy.File("fusion_prompt.onnx"), GroundingWeb.Authoring.Onnx.FusionHeadSplit.BuildPromptSide(other, weights, new string('0', 64)));

        var error = Assert.Throws<BundleException>(() => new BundleLoader(demo.Providers, []).Load(copy.Path));

        Assert.Contains("the head was replaced and its split form was not", error.Message);
    }

    [Fact]
    public void ThePreparerWritesMissingOrStaleHalvesFromTheWholeGraph()
    {
        using var copy = CopyDemo(_ => { });
        File.Delete(copy.File("fusion_image.onnx"));
        File.Delete(copy.File("fusion_prompt.onnx"));
        File.WriteAllText(copy.File("fusion_prompt.onnx"), "stale");

        using var bundle = new BundleLoader(demo.Providers, [new DemoEncoders()]).Load(copy.Path);

        Assert.True(bundle.SplitFusion);
        var sha = Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(File.ReadAllBytes(copy.File("fusion.onnx"))));
        Assert.Equal(sha, GroundingWeb.Authoring.Onnx.FusionHeadSplit.RecordedWholeSha256(copy.File("fusion_image.onnx")));
    }

    [Fact]
    public void ACorruptWholeGraphUnderItsSplitFormIsReported()
    {
        using var copy = CopyDemo(_ => { });
        File.Delete(copy.File("fusion.onnx"));
        File.WriteAllText(copy.File("fusion.onnx"), "not a model");

        var error = Assert.Throws<BundleException>(() => Load(copy.Path));

        Assert.Contains("fusion.onnx has", error.Message);
        Assert.Contains("the head was replaced", error.Message);
    }

    [Theory]
    [InlineData("fusion", "file", "missing.onnx", "field 'fusion.file' names 'missing.onnx' but the file is missing")]
    [InlineData("vision", "output", "pooled", "field 'vision.output' names 'pooled' but vision.onnx has outputs: image_tokens")]
    [InlineData("vision", "input", "Input247", "field 'vision.input' names 'Input247' but vision.onnx has inputs: pixels")]
    [InlineData("text", "output", "pooler_output", "field 'text.output' names 'pooler_output'")]
    [InlineData("fusion", "textMask", "mask", "field 'fusion.textMask' names 'mask' but fusion.onnx has inputs")]
    public void WrongNamesAreRejectedNamingFileAndField(string section, string field, string value, string expected)
    {
        using var copy = CopyDemo(json =>
        {
            WholeGraph(json);
            json[section]![field] = value;
        });

        var error = Assert.Throws<BundleException>(() => Load(copy.Path));

        Assert.Contains(expected, error.Message);
        Assert.Contains("bundle.json", error.Message);
    }

    [Theory]
    [InlineData("tokens", 49, "field 'vision.output'")]
    [InlineData("width", 512, "field 'vision.output'")]
    public void VisionDimensionsMustMatchTheEncoder(string field, int value, string expected)
    {
        using var copy = CopyDemo(json => json["vision"]![field] = value);

        var error = Assert.Throws<BundleException>(() => Load(copy.Path));

        Assert.Contains(expected, error.Message);
        Assert.Contains("shape", error.Message);
    }

    [Fact]
    public void TextWidthMustMatchTheFusionHead()
    {
        using var copy = CopyDemo(json => json["text"]!["width"] = 768);

        var error = Assert.Throws<BundleException>(() => Load(copy.Path));

        Assert.Contains("field 'text.output'", error.Message);
    }

    [Fact]
    public void VocabularyOfAnotherSizeThanTheEmbeddingTableIsRejected()
    {
        using var copy = CopyDemo(json =>
        {
            json["text"]!["tokenizer"]!["vocab"] = "small-vocab.txt";
            json["text"]!["tokenizer"]!.AsObject().Remove("source");
        });
        File.WriteAllLines(copy.File("small-vocab.txt"), ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]", "the", "cat", "##s"]);

        var error = Assert.Throws<BundleException>(() => Load(copy.Path));

        Assert.Contains("small-vocab.txt with 8 entries", error.Message);
        Assert.Contains("30522 rows", error.Message);
    }

    [Fact]
    public void MisspeltFieldIsRejected()
    {
        using var copy = CopyDemo(json => json["vision"]!["ouput"] = "x");

        var error = Assert.Throws<BundleException>(() => Load(copy.Path));

        Assert.Contains("ouput", error.Message);
    }

    [Theory]
    [InlineData("resize", "bicubic", "vision.preprocessing.resize")]
    [InlineData("channelOrder", "rgba", "vision.preprocessing.channelOrder")]
    public void UnknownPreprocessingIsRejected(string field, string value, string expected)
    {
        using var copy = CopyDemo(json => json["vision"]!["preprocessing"]![field] = value);

        var error = Assert.Throws<BundleException>(() => Load(copy.Path));

        Assert.Contains(expected, error.Message);
    }

    [Fact]
    public void FileOutsideTheBundleIsRefused()
    {
        using var copy = CopyDemo(json => json["fusion"]!["file"] = "../fusion.onnx");

        var error = Assert.Throws<BundleException>(() => Load(copy.Path));

        Assert.Contains("inside the bundle folder", error.Message);
    }

    [Fact]
    public void MissingManifestIsReported()
    {
        using var empty = new TempFolder();

        var error = Assert.Throws<BundleException>(() => Load(empty.Path));

        Assert.Contains("bundle.json is missing", error.Message);
    }

    [Fact]
    public void CorruptOnnxFileIsReported()
    {
        using var copy = CopyDemo(WholeGraph);
        File.Delete(copy.File("fusion.onnx"));
        File.WriteAllText(copy.File("fusion.onnx"), "not a model");

        var error = Assert.Throws<BundleException>(() => Load(copy.Path));

        Assert.Contains("fusion.onnx", error.Message);
        Assert.Contains("fusion.file", error.Message);
    }

    private BundleException? Load(string path)
    {
        using var bundle = new BundleLoader(demo.Providers, [new DemoEncoders()]).Load(path);
        return null;
    }

    private static TempFolder CopyDemo(Action<JsonNode> edit) => DemoBundleCopy.Create(edit);

    /// <summary>The manifest as before the split form: only fusion.onnx.</summary>
    private static void WholeGraph(JsonNode json)
    {
        json["fusion"]!.AsObject().Remove("imageSide");
        json["fusion"]!.AsObject().Remove("promptSide");
    }
}
