using GroundingWeb.Tests.Support;

namespace GroundingWeb.Tests.Cli;

public sealed class LoadCommandTests
{
    [Theory]
    [InlineData("http://example.com:5000", "must be a loopback address")]
    [InlineData("http://10.0.0.1:5000", "must be a loopback address")]
    [InlineData("not a url", "is not an absolute URL")]
    public void OnlyLoopbackIsLoaded(string url, string expected)
    {
        var result = CliRunner.Run("load", "--url", url, "--seconds", "1", "--clients", "1", "--distinct-images", "0");

        Assert.Equal(2, result.ExitCode);
        Assert.Contains(expected, result.StdErr);
    }

    [Fact]
    public void ANothingListeningAddressCountsAsErrorsAndFails()
    {
        // A port nobody listens on: every request fails to connect, which the run reports and exits 1 for.
        var result = CliRunner.Run("load", "--url", "http://127.0.0.1:9", "--seconds", "1", "--clients", "2", "--distinct-images", "0", "--json");

        Assert.Equal(1, result.ExitCode);
        using var json = System.Text.Json.JsonDocument.Parse(result.StdOut);
        Assert.Equal(0, json.RootElement.GetProperty("admitted").GetInt32());
        Assert.True(json.RootElement.GetProperty("otherErrors").GetInt32() > 0);
    }
}
