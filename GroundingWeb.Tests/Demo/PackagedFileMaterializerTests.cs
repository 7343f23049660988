using System.Text.Json.Nodes;
using GroundingWeb.Inference.Bundles;
using GroundingWeb.Authoring.Demo;
using GroundingWeb.Tests.Support;

namespace GroundingWeb.Tests.Demo;

public sealed class PackagedFileMaterializerTests
{
    private static readonly BundleManifest Demo = BundleManifest.Read(RepositoryPaths.DemoBundle);

    [Fact]
    public void WritesTheVocabularyFromThePackageWithItsChecksum()
    {
        using var folder = new TempFolder();
        var source = Demo.Text.Tokenizer.Source!;

        PackagedFileMaterializer.EnsurePresent(folder.Path, "vocab.txt", source);

        Assert.Equal(source.Sha256, PackagedFileMaterializer.Sha256Of(folder.File("vocab.txt")));
        Assert.Equal(30522, File.ReadAllLines(folder.File("vocab.txt")).Length);
        Assert.DoesNotContain(Directory.EnumerateFiles(folder.Path), f => f.EndsWith(".tmp"));
    }

    [Fact]
    public void ReplacesAFileWhoseChecksumDoesNotMatch()
    {
        using var folder = new TempFolder();
        File.WriteAllText(folder.File("vocab.txt"), "[PAD]\n[UNK]\n");

        PackagedFileMaterializer.EnsurePresent(folder.Path, "vocab.txt", Demo.Text.Tokenizer.Source!);

        Assert.Equal(Demo.Text.Tokenizer.Source!.Sha256, PackagedFileMaterializer.Sha256Of(folder.File("vocab.txt")));
    }

    [Fact]
    public void RefusesContentThatDiffersFromTheRecordedChecksum()
    {
        using var folder = new TempFolder();
        var wrong = Demo.Text.Tokenizer.Source! with { Sha256 = new string('0', 64) };

        var error = Assert.Throws<BundleException>(() => PackagedFileMaterializer.EnsurePresent(folder.Path, "vocab.txt", wrong));

        Assert.Contains("bundle.json expects 000", error.Message);
        Assert.False(File.Exists(folder.File("vocab.txt")));
    }

    [Fact]
    public void UnknownRecipeOrPackageIsNamed()
    {
        using var folder = new TempFolder();
        var source = Demo.Text.Tokenizer.Source!;

        Assert.Contains("Unknown file recipe 'magic'",
            Assert.Throws<InvalidOperationException>(() => PackagedFileMaterializer.EnsurePresent(folder.Path, "x", source with { Recipe = "magic" })).Message);
        Assert.Contains("No.Such.Package",
            Assert.Throws<InvalidOperationException>(() => PackagedFileMaterializer.EnsurePresent(folder.Path, "x", source with { Package = "No.Such.Package" })).Message);
    }

    [Fact]
    public async Task TwoProcessesStartingAtOnceBothGetTheBundle()
    {
        // A bundle with only the committed files: both CLI processes find the encoders missing.
        using var folder = new TempFolder();
        File.Copy(Path.Combine(RepositoryPaths.DemoBundle, "bundle.json"), folder.File("bundle.json"));
        File.Copy(Path.Combine(RepositoryPaths.DemoBundle, "fusion.onnx"), folder.File("fusion.onnx"));
        string[] args = ["predict", "--bundle", folder.Path, "--image", RepositoryPaths.Sample("chelsea.png"), "--prompt", "cat", "--provider", "cpu", "--json"];

        var runs = await Task.WhenAll(Enumerable.Range(0, 2).Select(_ => Task.Run(() => CliRunner.Run(args))));

        Assert.All(runs, r => Assert.Equal(0, r.ExitCode));
        Assert.Equal(runs[0].StdOut.Split("\"timingsMs\"")[0], runs[1].StdOut.Split("\"timingsMs\"")[0]);
        var manifest = JsonNode.Parse(File.ReadAllText(folder.File("bundle.json")))!;
        Assert.Equal(manifest["vision"]!["source"]!["sha256"]!.GetValue<string>(), PackagedFileMaterializer.Sha256Of(folder.File("vision.onnx")));
        Assert.DoesNotContain(Directory.EnumerateFiles(folder.Path), f => f.EndsWith(".tmp"));
    }
}
