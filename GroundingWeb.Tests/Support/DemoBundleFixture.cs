using GroundingWeb.Authoring.Demo;
using GroundingWeb.Inference.Bundles;
using GroundingWeb.Inference.Pipeline;
using GroundingWeb.Inference.Runtime;
using Microsoft.Extensions.Logging.Abstractions;

namespace GroundingWeb.Tests.Support;

/// <summary>The committed demo bundle, materialised and opened once for a test class (sessions are costly).</summary>
public sealed class DemoBundleFixture : IDisposable
{
    public DemoBundleFixture()
    {
        Options = new InferenceOptions { BundlePath = RepositoryPaths.DemoBundle, ExecutionProvider = ExecutionProviderPreference.Cpu };
        Providers = new ExecutionProviderSelector(Options, NullLogger<ExecutionProviderSelector>.Instance);
        Bundle = new BundleLoader(Providers, [new DemoEncoders()]).Load(RepositoryPaths.DemoBundle);
    }

    public InferenceOptions Options { get; }
    internal ExecutionProviderSelector Providers { get; }
    internal ModelBundle Bundle { get; }

    /// <summary>A pipeline on the fixture's sessions with a cache of its own; the fixture closes the sessions.</summary>
    public GroundingPipeline CreatePipeline(long cacheBytes = 64 * 1024 * 1024)
    {
        Assert.True(Bundle.TryRetain(), "The demo bundle's sessions are closed.");
        return new(Bundle, Options, new ImageTokenCache(cacheBytes), NullLogger<GroundingPipeline>.Instance);
    }

    public void Dispose() => Bundle.Dispose();
}
