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
