using GroundingWeb.Cli.Training;
using GroundingWeb.Authoring.Onnx;
using GroundingWeb.Tests.Support;
using TorchSharp.PyBridge;
using static TorchSharp.torch;

namespace GroundingWeb.Tests.Training;

public class StateDictImporterTests
{
    private static readonly FusionHeadConfig Config = new(24, 20, 32, 2, 4, 64);

    /// <summary>A plausible reference naming: everything under "model.", other projection and head names.</summary>
    private static string ReferenceName(string name) => "model." + name
        .Replace("image_proj.", "visual_proj.", StringComparison.Ordinal)
        .Replace("decoder.", "fusion_decoder.", StringComparison.Ordinal)
        .Replace("head.", "bbox_head.", StringComparison.Ordinal);

    [Fact]
    public void ReadsAPyTorchStateDictIgnoringEncodersAndWritesTheSameHead()
    {
        using var folder = new TempFolder();
        var path = folder.File("model.pt");
        using var module = new FusionHeadModule(Config);
        var expected = module.ExportWeights();
        var stateDict = new Dictionary<string, Tensor>();
        foreach (var (name, parameter) in module.named_parameters())
        {
            stateDict[ReferenceName(name)] = parameter.detach().clone();
        }
        stateDict["vision_encoder.embeddings.patch_embeddings.weight"] = randn(8, 3, 4, 4);
        stateDict["vision_encoder.layer.0.attention.q_proj.weight"] = randn(8, 8);
        stateDict["text_encoder.encoder.layer.0.attention.self.query.weight"] = randn(8, 8);
        stateDict["text_encoder.embeddings.word_embeddings.weight"] = randn(30, 8);
        PyTorchPickler.PickleStateDict(path, stateDict);

        var result = StateDictImporter.Map(StateDictImporter.ReadStateDict(path), heads: 4);

        Assert.Equal(Config, result.Config);
        Assert.Equal(4, result.Ignored.Count);
        Assert.Equal("model.visual_proj.weight", result.Mapping["image_proj.weight"]);
        Assert.Equal("model.bbox_head.3.bias", result.Mapping["head.3.bias"]);
        foreach (var tensor in expected.Tensors)
        {
            Assert.Equal(tensor.Data, result.Weights[tensor.Name].Data);
        }
        Assert.Equal(Config, FusionHeadOnnxWriter.ReadConfig(FusionHeadOnnxWriter.Build(result.Config, result.Weights)));

        var cli = CliRunner.Run("import", "--state-dict", path, "--out", folder.File("fusion.onnx"), "--heads", "4");
        Assert.True(cli.ExitCode == 0, cli.StdErr);
        Assert.Contains("ignored 4 encoder tensors", cli.StdOut);
        Assert.Equal(Config, FusionHeadOnnxWriter.ReadConfig(File.ReadAllBytes(folder.File("fusion.onnx"))));
        Assert.Contains("fusion_image.onnx (image side)", cli.StdOut);
        Assert.Equal(Config, FusionHeadOnnxWriter.ReadConfig(File.ReadAllBytes(folder.File("fusion_prompt.onnx"))));
    }

    [Fact]
    public void ListsTensorsThatAreNeitherHeadNorEncoder()
    {
        var tensors = HeadTensors();
        tensors["model.query_embed.weight"] = new NamedTensor("model.query_embed.weight", [4, 32], new float[128]);

        var error = Assert.Throws<InvalidDataException>(() => StateDictImporter.Map(tensors, heads: 4));

        Assert.Contains("model.query_embed.weight [4, 32]", error.Message);
    }

    [Fact]
    public void RefusesTwoCopiesOfTheHead()
    {
        var tensors = HeadTensors();
        foreach (var (name, tensor) in HeadTensors())
        {
            tensors["ema." + name] = tensor with { Name = "ema." + name };
        }

        var error = Assert.Throws<InvalidDataException>(() => StateDictImporter.Map(tensors, heads: 4));

        Assert.Contains("decoder.layers.0.linear1.bias <- ema.model.fusion_decoder.layers.0.linear1.bias | model.fusion_decoder.layers.0.linear1.bias", error.Message);
        Assert.Contains("Several tensors map", error.Message);
    }

    [Fact]
    public void AsksForHeadsThatDivideTheWidth()
    {
        var error = Assert.Throws<InvalidDataException>(() => StateDictImporter.Map(HeadTensors(), heads: 5));
        Assert.Contains("--heads", error.Message);
    }

    [Fact]
    public void ReportsMissingLayersAgainstAGivenConfig()
    {
        var error = Assert.Throws<InvalidDataException>(() => StateDictImporter.Map(HeadTensors(), heads: 4, Config with { Layers = 3 }));
        Assert.Contains("decoder.layers.2", error.Message);
    }

    private static Dictionary<string, NamedTensor> HeadTensors() =>
        FusionHeadWeights.CreateRandom(Config, 3).Tensors.ToDictionary(t => ReferenceName(t.Name), t => t with { Name = ReferenceName(t.Name) });
}
