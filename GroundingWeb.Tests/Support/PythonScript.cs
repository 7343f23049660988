using System.Diagnostics;

namespace GroundingWeb.Tests.Support;

/// <summary>Runs one of the test fixtures' Python scripts under Debian's Python (see <see cref="Requires.PyTorch"/>).</summary>
internal static class PythonScript
{
    public static string Path(string name) => System.IO.Path.Combine(AppContext.BaseDirectory, "Fixtures", "pytorch", name);

    public static void Run(string script, params string[] args)
    {
        var start = new ProcessStartInfo(Requires.DebianPython) { RedirectStandardError = true, RedirectStandardOutput = true };
        start.ArgumentList.Add(script);
        foreach (var arg in args) start.ArgumentList.Add(arg);
        using var process = Process.Start(start)!;
        var error = process.StandardError.ReadToEndAsync();
        process.StandardOutput.ReadToEnd();
        Assert.True(process.WaitForExit(180_000), $"{System.IO.Path.GetFileName(script)} did not finish in 3 minutes");
        Assert.True(process.ExitCode == 0, error.Result);
    }
}
