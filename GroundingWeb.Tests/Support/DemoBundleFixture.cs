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
        Bundle = new BundleLoader(Providers).Load(RepositoryPaths.DemoBundle);
    }

    public InferenceOptions Options { get; }
    public ExecutionProviderSelector Providers { get; }
    public ModelBundle Bundle { get; }

    public GroundingPipeline CreatePipeline(long cacheBytes = 64 * 1024 * 1024) =>
        new(Bundle, Options, new ImageTokenCache(cacheBytes), NullLogger<GroundingPipeline>.Instance);

    public void Dispose() => Bundle.Dispose();
}
