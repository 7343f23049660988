using System.Text.Json;
using GroundingWeb.Tests.Support;

namespace GroundingWeb.Tests.Cli;

public sealed class EvaluateCommandTests
{
    [Fact]
    public void EvaluatesAJsonLinesSplitAndWritesResultsAndSummary()
    {
        using var temp = new TempFolder();
        File.Copy(RepositoryPaths.Sample("chelsea.png"), temp.File("chelsea.png"));
        File.Copy(RepositoryPaths.Sample("coffee.png"), temp.File("coffee.png"));
        File.WriteAllLines(temp.File("val.jsonl"),
        [
            """{"image":"chelsea.png","expression":"the cat","box":[50,20,350,280],"category":"cat"}""",
            """{"image":"chelsea.png","expression":"its nose","box":[200,150,60,50],"boxFormat":"xywh","category":"cat"}""",
            """{"image":"coffee.png","expression":"the cup","box":[150,50,450,300],"category":"cup"}""",
            """{"image":"missing.png","expression":"nothing","box":[0,0,10,10]}""",
        ]);

        var result = CliRunner.Run("evaluate", "--bundle", RepositoryPaths.DemoBundle, "--dataset", temp.Path, "--format", "jsonl",
            "--split", "val", "--out", temp.File("results.jsonl"), "--summary", temp.File("summary.json"), "--provider", "cpu");

        Assert.Equal(0, result.ExitCode);
        Assert.Contains("Acc@0.5", result.StdOut);
        Assert.Contains("3 samples", result.StdOut);
        Assert.Contains("missing.png", result.StdErr);
        var lines = File.ReadAllLines(temp.File("results.jsonl"));
        Assert.Equal(3, lines.Length);
        var ious = lines.Select(l => JsonDocument.Parse(l).RootElement.GetProperty("iou").GetDouble()).ToArray();
        using var summary = JsonDocument.Parse(File.ReadAllText(temp.File("summary.json")));
        Assert.Equal(ious.Average(), summary.RootElement.GetProperty("summary").GetProperty("meanIou").GetDouble(), 1e-6);
        Assert.Equal(3, summary.RootElement.GetProperty("summary").GetProperty("count").GetInt32());
    }

    [Fact]
    public void UnknownSplitIsAClearError()
    {
        using var temp = new TempFolder();
        File.WriteAllText(temp.File("val.jsonl"), """{"image":"x.png","expression":"e","box":[0,0,1,1]}""" + "\n");

        var result = CliRunner.Run("evaluate", "--dataset", temp.Path, "--format", "jsonl", "--split", "testB", "--bundle", RepositoryPaths.DemoBundle);

        Assert.Equal(2, result.ExitCode);
        Assert.StartsWith("error:", result.StdErr.Trim());
    }
}
