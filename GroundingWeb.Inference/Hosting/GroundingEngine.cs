using GroundingWeb.Inference.Bundles;
using GroundingWeb.Inference.Pipeline;
using GroundingWeb.Inference.Runtime;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace GroundingWeb.Inference.Hosting;

/// <summary>
/// Owns the active bundle and its pipeline for the process: loaded once on first use (or at warm-up),
/// shared by every request.
/// </summary>
public sealed class GroundingEngine(IOptions<InferenceOptions> options, BundleLoader loader, ILoggerFactory loggers) : IDisposable
{
    private readonly Lock _gate = new();
    private GroundingPipeline? _pipeline;
    private System.Runtime.ExceptionServices.ExceptionDispatchInfo? _loadFailure;

    public InferenceOptions Options => options.Value;

    /// <summary>True once every model has run once.</summary>
    public bool IsWarm { get; private set; }

    public GroundingPipeline Pipeline
    {
        get
        {
            lock (_gate)
            {
                // A bundle that failed to load fails the same way for every caller, without retrying
                // the expensive load on each request.
                _loadFailure?.Throw();
                try
                {
                    return _pipeline ??= Create(BundlePathResolver.Resolve(options.Value.BundlePath));
                }
                catch (Exception ex) when (ex is BundleException or InvalidOperationException or IOException)
                {
                    _loadFailure = System.Runtime.ExceptionServices.ExceptionDispatchInfo.Capture(ex);
                    throw;
                }
            }
        }
    }

    public void WarmUp()
    {
        Pipeline.WarmUp();
        IsWarm = true;
    }

    private GroundingPipeline Create(string bundlePath)
    {
        var bundle = loader.Load(bundlePath);
        var cache = new ImageTokenCache((long)options.Value.ImageTokenCacheMegabytes * 1024 * 1024);
        return new GroundingPipeline(bundle, options.Value, cache, loggers.CreateLogger<GroundingPipeline>());
    }

    public void Dispose()
    {
        lock (_gate)
        {
            _pipeline?.Bundle.Dispose();
        }
    }
}
