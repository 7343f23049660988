using System.Text.Json;
using GroundingWeb.Tests.Support;
using SixLabors.ImageSharp;

namespace GroundingWeb.Tests.Cli;

public sealed class PredictCommandTests
{
    private static readonly string Bundle = RepositoryPaths.DemoBundle;
    private static readonly string Chelsea = RepositoryPaths.Sample("chelsea.png");

    [Fact]
    public void WithJsonStandardOutputHoldsOneDocumentAndTheLogsGoToStandardError()
    {
        // --verbose logs the provider choice (and, without CUDA, the fallback warning) on every machine.
        var result = CliRunner.Run("predict", "--bundle", RepositoryPaths.DemoBundle, "--image", RepositoryPaths.Sample("chelsea.png"),
            "--prompt", "the cat", "--json", "--verbose");

        Assert.Equal(0, result.ExitCode);
        using var json = JsonDocument.Parse(result.StdOut);
        Assert.Equal("the cat", json.RootElement.GetProperty("predictions")[0].GetProperty("prompt").GetString());
        Assert.Contains("execution provider", result.StdErr, StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public void PrintsOneBoxPerPromptAsJsonAndWritesCrops()
    {
        using var temp = new TempFolder();
        var crop = temp.File("crop.png");

        var result = CliRunner.Run("predict", "--bundle", Bundle, "--image", Chelsea, "--prompt", "the cat", "--prompt", "its ear",
            "--crop", crop, "--json", "--provider", "cpu");

        Assert.Equal(0, result.ExitCode);
        using var json = JsonDocument.Parse(result.StdOut);
        var predictions = json.RootElement.GetProperty("predictions");
        Assert.Equal(2, predictions.GetArrayLength());
        Assert.Equal("the cat", predictions[0].GetProperty("prompt").GetString());
        var box = predictions[0].GetProperty("box").EnumerateArray().Select(v => v.GetSingle()).ToArray();
        Assert.All(box, v => Assert.InRange(v, 0, 451));
        Assert.Equal(451, json.RootElement.GetProperty("image").GetProperty("width").GetInt32());
        Assert.Equal("CPU", json.RootElement.GetProperty("provider").GetString());
        Assert.True(File.Exists(temp.File("crop-1.png")));
        Assert.True(File.Exists(temp.File("crop-2.png")));
        using var cropped = Image.Load(temp.File("crop-1.png"));
        Assert.InRange(cropped.Width, 1, 451);
        Assert.DoesNotContain("UNTRAINED", result.StdErr);
        Assert.True(json.RootElement.GetProperty("model").GetProperty("trained").GetBoolean());
    }

    [Fact]
    public void SaysPlainlyWhenTheHeadIsUntrained()
    {
        using var untrained = DemoBundleCopy.Untrained();

        var result = CliRunner.Run("predict", "--bundle", untrained.Path, "--image", Chelsea, "--prompt", "the cat", "--provider", "cpu");

        Assert.Equal(0, result.ExitCode);
        Assert.Contains("UNTRAINED fusion head", result.StdErr);
    }

    [Fact]
    public void PrintsReadableTextByDefault()
    {
        var result = CliRunner.Run("predict", "--bundle", Bundle, "--image", Chelsea, "--prompt", "the cat", "--provider", "cpu");

        Assert.Equal(0, result.ExitCode);
        Assert.Contains("\"the cat\": [", result.StdOut);
        Assert.Contains("timings ms:", result.StdOut);
    }

    [Theory]
    [InlineData("missing.png", "the cat", "Image 'missing.png' does not exist")]
    [InlineData("corrupt", "the cat", "error:")]
    [InlineData("chelsea", " ", "Prompt 1 is empty")]
    public void BadInputGivesOneClearLineAndANonZeroExit(string image, string prompt, string expected)
    {
        using var temp = new TempFolder();
        var path = image switch
        {
            "corrupt" => temp.File("corrupt.png"),
            "chelsea" => Chelsea,
            _ => image,
        };
        if (image == "corrupt") File.WriteAllBytes(path, [0x89, 0x50, 0x4E, 0x47, 1, 2, 3]);

        var result = CliRunner.Run("predict", "--bundle", Bundle, "--image", path, "--prompt", prompt, "--provider", "cpu");

        Assert.Equal(2, result.ExitCode);
        Assert.StartsWith("error:", result.StdErr.Trim());
        Assert.Contains(expected, result.StdErr);
        Assert.Single(result.StdErr.Trim().Split('\n'));
    }

    [Fact]
    public void MissingBundleIsNamed()
    {
        var result = CliRunner.Run("predict", "--bundle", "/nonexistent/bundle", "--image", Chelsea, "--prompt", "cat");

        Assert.Equal(2, result.ExitCode);
        Assert.Contains("/nonexistent/bundle", result.StdErr);
    }

    [Fact]
    public void MissingRequiredOptionIsAUsageError()
    {
        var result = CliRunner.Run("predict", "--image", Chelsea);

        Assert.NotEqual(0, result.ExitCode);
        Assert.Contains("--prompt", result.StdErr);
    }
}
