using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using GroundingWeb.Features.Api;
using GroundingWeb.Inference.Bundles;
using GroundingWeb.Tests.Support;
using GroundingWeb.Tests.Web;

namespace GroundingWeb.Tests.EndToEnd;

/// <summary>
/// The whole product on a bundle of the reference model's size (DINOv3 ViT-B/16 and BGE-small twins,
/// a head of D 512, 6 layers): the API, the Models page, and the CLI's features, train, export and evaluate.
/// </summary>
public sealed class TwinBundleProductTests
{
    [Fact]
    public async Task The_app_grounds_on_the_twin_bundle_and_the_models_page_shows_its_files_and_sizes()
    {
        var bundle = TwinBundle.Folder;
        await using var app = new TestApp(("Inference:BundlePath", bundle), ("Models:Folder", Path.GetDirectoryName(bundle)));

        var response = await app.Client().PostAsync("/api/v1/ground",
            GroundApiTests.Form(File.ReadAllBytes(RepositoryPaths.Sample("chelsea.png")), "the cat", "the sofa"));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var body = (await response.Content.ReadFromJsonAsync<GroundResponse>(new JsonSerializerOptions(JsonSerializerDefaults.Web)))!;
        Assert.Equal("dinov3-bge-twin", body.Model.Name);
        Assert.False(body.Model.Trained);
        Assert.Equal(2, body.Predictions.Count);

        var admin = await app.SignedInClientAsync("Admin");
        var page = await admin.GetStringAsync("/models");
        Assert.Contains("dinov3-bge-twin", page);
        Assert.Contains("vision/model.onnx_data (vision encoder weights): 342.6 MB", page);
        Assert.Contains("201 tokens × 768", page);
    }

    [Fact]
    public void Features_train_export_and_evaluate_run_at_the_reference_size()
    {
        var bundle = TwinBundle.Folder;
        using var temp = new TempFolder();
        Ok(CliRunner.Run("synth", "--out", temp.File("data"), "--seed", "5", "--images", "8", "--val-fraction", "0.25", "--testa-fraction", "0", "--testb-fraction", "0"));
        foreach (var split in new[] { "train", "val" })
        {
            Ok(CliRunner.Run("features", "--bundle", bundle, "--dataset", temp.File("data"), "--split", split, "--out", temp.File("features"), "--limit", "8"));
        }
        var index = JsonDocument.Parse(File.ReadAllText(temp.File("features/features.json"))).RootElement;
        Assert.Contains("201", index.ToString());

        var train = CliRunner.Run("train", "--features", temp.File("features"), "--out", temp.File("run"), "--epochs", "1", "--batch", "4",
            "--model-dim", "512", "--layers", "6", "--heads", "8", "--feed-forward", "2048", "--threads", "1");
        Ok(train);
        Assert.Contains("Epoch", train.StdOut);

        Ok(CliRunner.Run("export", "--checkpoint", temp.File("run/best.safetensors"), "--encoders", bundle, "--out", temp.File("trained")));
        var exported = BundleManifest.Read(temp.File("trained"));
        Assert.True(exported.Trained);
        Assert.True(File.Exists(temp.File("trained/vision/model.onnx_data")));

        var evaluate = CliRunner.Run("evaluate", "--bundle", temp.File("trained"), "--dataset", temp.File("data"), "--format", "jsonl", "--split", "val", "--limit", "4");
        Ok(evaluate);
        Assert.Contains("Acc@0.5", evaluate.StdOut);
    }

    private static void Ok(CliRunner.Result result) => Assert.True(result.ExitCode == 0, result.StdErr + result.StdOut);
}
