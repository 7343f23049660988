using System.Text.Json;
using GroundingWeb.Cli.Bundles;
using GroundingWeb.Cli.Training;
using GroundingWeb.Authoring.Onnx;
using GroundingWeb.Inference.Bundles;
using GroundingWeb.Inference.Pipeline;
using GroundingWeb.Tests.Support;
using TorchSharp.PyBridge;
using static TorchSharp.torch;

namespace GroundingWeb.Tests.Bundles;

/// <summary><c>grounding bundle create</c>: the bundle it writes, and the clear errors for files that do not fit.</summary>
public sealed class BundleCreateTests
{
    [Fact]
    public void Creates_a_validated_bundle_from_the_twin_exports_and_prints_one_json_document()
    {
        var twins = TwinFiles.Shared;
        using var temp = new TempFolder();
        var head = temp.File("head.onnx");
        FusionHeadOnnxWriter.Write(head, FusionHeadConfig.Reference, FusionHeadWeights.CreateRandom(FusionHeadConfig.Reference, 1));

        var cli = CliRunner.Run("bundle", "create", "--vision", twins.VisionFolder, "--text", twins.TextFolder, "--head", head,
            "--out", temp.File("bundle"), "--untrained", "--preset", "hf-processor", "--json");

        Assert.True(cli.ExitCode == 0, cli.StdErr);
        using var json = JsonDocument.Parse(cli.StdOut);
        Assert.Equal(201, json.RootElement.GetProperty("vision").GetProperty("tokens").GetInt32());
        Assert.Equal(384, json.RootElement.GetProperty("text").GetProperty("width").GetInt32());
        Assert.Equal(4, json.RootElement.GetProperty("probe").GetProperty("box").GetArrayLength());
        var manifest = BundleManifest.Read(temp.File("bundle"));
        Assert.Equal("antialias-bilinear-float", manifest.Vision.Preprocessing.Resize);
        Assert.False(manifest.Trained);
        Assert.Equal(85_660_416L * 4, manifest.Files!["vision/model.onnx_data"].Bytes);
        // A head of ours gets its split form too, recorded and checksummed like every other file.
        Assert.Equal("fusion_image.onnx", manifest.Fusion.ImageSide);
        Assert.Equal("fusion_prompt.onnx", manifest.Fusion.PromptSide);
        Assert.Contains("fusion_prompt.onnx", manifest.Files.Keys);
        var listed = BundleFiles.List(temp.File("bundle"), manifest);
        Assert.Contains(listed, f => f.Path == "vision/model.onnx_data" && f.Role == "vision encoder weights");
        Assert.Contains(listed, f => f.Path == "fusion_image.onnx" && f.Role == "fusion head, image side");
        Assert.Equal(manifest.Files.Values.Sum(f => f.Bytes), listed.Sum(f => f.Bytes ?? 0));
        Assert.DoesNotContain(Directory.GetDirectories(temp.Path), d => d.Contains(".partial-", StringComparison.Ordinal));

        var again = CliRunner.Run("bundle", "create", "--vision", twins.VisionFolder, "--text", twins.TextFolder, "--head", head, "--out", temp.File("bundle"));
        Assert.Equal(2, again.ExitCode);
        Assert.Contains("already exists", again.StdErr);
    }

    [Fact]
    public void A_tiny_bundle_with_external_data_loads_and_its_checksums_and_data_file_are_checked()
    {
        using var temp = new TempFolder();
        var bundle = Create(temp, visionWidth: 32, textWidth: 16, externalData: true);
        using (var pipeline = GroundingPipeline.Open(bundle))
        {
            var result = pipeline.Ground(File.ReadAllBytes(RepositoryPaths.Sample("chelsea.png")), ["the cat"]);
            Assert.Single(result.Predictions);
        }

        var data = Path.Combine(bundle, "vision", "model.onnx_data");
        var bytes = File.ReadAllBytes(data);
        bytes[100] ^= 0xFF;
        File.WriteAllBytes(data, bytes);
        var damaged = Assert.Throws<BundleException>(() => GroundingPipeline.Open(bundle).Dispose());
        Assert.Contains("field 'files' expects 'vision/model.onnx_data'", damaged.Message);

        File.Delete(data);
        var manifest = BundleManifest.Read(bundle);
        BundleManifest.Write(bundle, manifest with { Files = null });
        var missing = Assert.Throws<BundleException>(() => GroundingPipeline.Open(bundle).Dispose());
        Assert.Contains("external data file 'model.onnx_data'", missing.Message);
    }

    [Fact]
    public void A_missing_data_file_is_named()
    {
        using var temp = new TempFolder();
        var vision = TinyExports.Vision(temp.File("vision"), 32, externalData: true);
        File.Delete(Path.Combine(vision, "onnx", "model.onnx_data"));

        var error = Fails(temp, vision, TinyExports.Text(temp.File("text"), 16, 30522, 30522), TinyExports.Head(temp.File("h.onnx"), 32, 16));

        Assert.Contains("external data file 'model.onnx_data'", error);
        Assert.Contains("keep it beside model.onnx", error);
    }

    [Fact]
    public void An_export_of_the_wrong_width_is_refused_naming_both_widths()
    {
        using var temp = new TempFolder();
        var error = Fails(temp, TinyExports.Vision(temp.File("vision"), 48), TinyExports.Text(temp.File("text"), 16, 30522, 30522),
            TinyExports.Head(temp.File("h.onnx"), 32, 16));

        Assert.Contains("takes image tokens of width 32", error);
        Assert.Contains("the vision export gives 48", error);
    }

    [Fact]
    public void An_export_without_last_hidden_state_is_refused()
    {
        using var temp = new TempFolder();
        var error = Fails(temp, TinyExports.Vision(temp.File("vision"), 32, output: "image_embeds"), TinyExports.Text(temp.File("text"), 16, 30522, 30522),
            TinyExports.Head(temp.File("h.onnx"), 32, 16));

        Assert.Contains("has no 'last_hidden_state' output (it has image_embeds)", error);
    }

    [Fact]
    public void A_vocabulary_that_does_not_fit_the_embedding_table_is_refused()
    {
        using var temp = new TempFolder();
        var error = Fails(temp, TinyExports.Vision(temp.File("vision"), 32), TinyExports.Text(temp.File("text"), 16, 30522, 21128),
            TinyExports.Head(temp.File("h.onnx"), 32, 16));

        Assert.Contains("has 21,128 entries but the text export's token embedding table has 30,522 rows", error);
    }

    [Fact]
    public void A_state_dict_of_another_architecture_names_the_tensor_that_does_not_fit()
    {
        using var temp = new TempFolder();
        var config = new FusionHeadConfig(32, 16, 32, 1, 4, 64);
        using var module = new FusionHeadModule(config);
        var stateDict = module.named_parameters().ToDictionary(p => "model." + p.name, p => p.parameter.detach().clone());
        stateDict["model.decoder.layers.1.linear1.weight"] = randn(64, 32);   // a second layer with nothing else
        var path = temp.File("best_model_iou.pt");
        PyTorchPickler.PickleStateDict(path, stateDict);

        var error = Fails(temp, TinyExports.Vision(temp.File("vision"), 32), TinyExports.Text(temp.File("text"), 16, 30522, 30522), path, "--heads", "4");

        Assert.Contains("decoder.layers.1", error);
    }

    [Fact]
    public void An_unknown_preset_is_refused()
    {
        using var temp = new TempFolder();
        var error = Fails(temp, TinyExports.Vision(temp.File("vision"), 32), TinyExports.Text(temp.File("text"), 16, 30522, 30522),
            TinyExports.Head(temp.File("h.onnx"), 32, 16), "--preset", "timm");

        Assert.Contains("Unknown preprocessing preset 'timm'", error);
    }

    private static string Create(TempFolder temp, int visionWidth, int textWidth, bool externalData)
    {
        var result = BundleAssembler.Create(new BundleCreateRequest
        {
            Vision = TinyExports.Vision(temp.File("vision"), visionWidth, externalData: externalData),
            Text = TinyExports.Text(temp.File("text"), textWidth, 30522, 30522),
            Head = TinyExports.Head(temp.File("head.onnx"), visionWidth, textWidth),
            Output = temp.File("bundle"),
            Untrained = true,
            ProbeImage = RepositoryPaths.Sample("chelsea.png"),
        });
        Assert.Equal(196, result.Manifest.Vision.Tokens);
        return result.Directory;
    }

    private static string Fails(TempFolder temp, string vision, string text, string head, params string[] more)
    {
        var cli = CliRunner.Run(["bundle", "create", "--vision", vision, "--text", text, "--head", head, "--out", temp.File("bundle"), .. more]);
        Assert.Equal(2, cli.ExitCode);
        Assert.False(Directory.Exists(temp.File("bundle")));
        Assert.DoesNotContain("   at ", cli.StdErr);
        return cli.StdErr;
    }
}
