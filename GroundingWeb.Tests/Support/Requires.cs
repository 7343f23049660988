namespace GroundingWeb.Tests.Support;

/// <summary>
/// Tests that need something a developer's machine may lack. Without it they report as skipped with the
/// reason; under CI=true, where .ci/run installs everything they need, its absence fails them instead.
/// </summary>
internal static class Requires
{
    public const string ChromiumPath = "/usr/bin/chromium";

    public static bool InContinuousIntegration => Environment.GetEnvironmentVariable("CI") == "true";

    public static bool ChromiumMissing => !File.Exists(ChromiumPath);

    public static void Chromium() =>
        Present(!ChromiumMissing, $"Chromium is not at {ChromiumPath}: install it (apt-get install -y chromium), as .ci/run does.");

    public static void Linux() =>
        Present(OperatingSystem.IsLinux(), "this test patches a Linux ELF library and runs only on Linux.");

    public const string DebianPython = "/usr/bin/python3";

    /// <summary>Debian's PyTorch (python3-torch), the independent reference for the state-dict import.</summary>
    public static void PyTorch() =>
        Present(File.Exists(DebianPython) && RunsTorch(),
            $"{DebianPython} cannot import torch: install Debian's python3-torch (apt-get install -y python3-torch), as .ci/run does.");

    private static bool RunsTorch()
    {
        var start = new System.Diagnostics.ProcessStartInfo(DebianPython, ["-c", "import torch"]) { RedirectStandardError = true };
        using var process = System.Diagnostics.Process.Start(start)!;
        process.StandardError.ReadToEnd();
        return process.WaitForExit(60_000) && process.ExitCode == 0;
    }

    private static void Present(bool present, string reason)
    {
        if (present)
        {
            return;
        }
        if (InContinuousIntegration)
        {
            Assert.Fail("CI=true but " + reason);
        }
        Assert.Skip(reason);
    }
}
