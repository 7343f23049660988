using GroundingWeb.Tests.Support;

namespace GroundingWeb.Tests.Datasets.RefShapes;

public sealed class SynthCommandTests
{
    [Fact]
    public void WritesTheDatasetAndPrintsTheCounts()
    {
        using var temp = new TempFolder();
        var output = temp.File("refshapes");

        var result = CliRunner.Run("synth", "--out", output, "--seed", "4", "--images", "10");
        var again = CliRunner.Run("synth", "--out", output, "--seed", "4", "--images", "10");
        var forced = CliRunner.Run("synth", "--out", output, "--seed", "4", "--images", "10", "--force");

        Assert.Equal(0, result.ExitCode);
        Assert.Contains("10 images", result.StdOut);
        Assert.Contains("testB", result.StdOut);
        foreach (var file in new[] { "train.jsonl", "val.jsonl", "testA.jsonl", "testB.jsonl", "dataset.json", "images/train/000000.png", "images/testB/000009.png" })
        {
            Assert.True(File.Exists(Path.Combine(output, file)), file);
        }
        Assert.Equal(2, again.ExitCode);
        Assert.Contains("--force", again.StdErr);
        Assert.Equal(0, forced.ExitCode);
    }

    [Fact]
    public void BadFractionsGiveOneClearLine()
    {
        using var temp = new TempFolder();

        var result = CliRunner.Run("synth", "--out", temp.File("x"), "--images", "10", "--val-fraction", "0.9", "--testa-fraction", "0.2");

        Assert.Equal(2, result.ExitCode);
        Assert.StartsWith("error:", result.StdErr.Trim());
        Assert.False(Directory.Exists(temp.File("x")));
    }
}
