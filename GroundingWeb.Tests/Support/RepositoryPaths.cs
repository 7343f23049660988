using GroundingWeb.Inference.Hosting;

namespace GroundingWeb.Tests.Support;

/// <summary>Committed files the tests use, found from the test output folder.</summary>
internal static class RepositoryPaths
{
    public static string DemoBundle => BundlePathResolver.Resolve("models/demo");

    public static string Sample(string name) => Path.Combine(BundlePathResolver.Resolve("samples"), name);
}
