using System.Diagnostics;

namespace GroundingWeb.Tests.Support;

/// <summary>Runs the real `grounding` CLI in a child process, as a user would.</summary>
internal static class CliRunner
{
    public sealed record Result(int ExitCode, string StdOut, string StdErr);

    public static Result Run(params string[] args) => Run(TimeSpan.FromMinutes(2), args);

    public static Result Run(TimeSpan limit, params string[] args)
    {
        var cli = Path.Combine(AppContext.BaseDirectory, "grounding.dll");
        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, WorkingDirectory = AppContext.BaseDirectory };
        start.ArgumentList.Add(cli);
        foreach (var arg in args) start.ArgumentList.Add(arg);
        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        if (!process.WaitForExit(limit))
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"grounding {string.Join(' ', args)} did not finish in {limit.TotalMinutes} minutes.");
        }
        return new Result(process.ExitCode, stdout.Result, stderr.Result);
    }
}
