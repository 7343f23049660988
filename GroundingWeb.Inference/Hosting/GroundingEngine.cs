using GroundingWeb.Inference.Bundles;
using GroundingWeb.Inference.Pipeline;
using GroundingWeb.Inference.Runtime;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace GroundingWeb.Inference.Hosting;

/// <summary>
/// Owns the active bundle and its pipeline for the process: loaded once on first use (or at warm-up),
/// shared by every request, and replaceable at run time by <see cref="Activate"/>.
/// </summary>
public sealed class GroundingEngine(IOptions<InferenceOptions> options, BundleLoader loader, ILoggerFactory loggers) : IDisposable
{
    private readonly Lock _gate = new();
    private GroundingPipeline? _pipeline;
    private System.Runtime.ExceptionServices.ExceptionDispatchInfo? _loadFailure;
    private string? _activePath;

    /// <summary>How long a replaced bundle stays open for requests that took it before the switch.</summary>
    public static readonly TimeSpan RetiredBundleGrace = TimeSpan.FromMinutes(2);

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
                    return _pipeline ??= Create(ActiveBundlePath);
                }
                catch (Exception ex) when (ex is BundleException or InvalidOperationException or IOException)
                {
                    _loadFailure = System.Runtime.ExceptionServices.ExceptionDispatchInfo.Capture(ex);
                    throw;
                }
            }
        }
    }

    /// <summary>The folder of the bundle in use: the configured one until <see cref="Activate"/> picks another.</summary>
    public string ActiveBundlePath
    {
        get { lock (_gate) return _activePath ??= BundlePathResolver.Resolve(options.Value.BundlePath); }
    }

    public void WarmUp()
    {
        Pipeline.WarmUp();
        IsWarm = true;
    }

    /// <summary>
    /// Loads and warms the bundle in <paramref name="bundlePath"/>, then makes it the active one. A
    /// bundle that fails to load leaves the current one active. The replaced bundle is closed after
    /// <see cref="RetiredBundleGrace"/>, since requests that started on it may still be running.
    /// </summary>
    public void Activate(string bundlePath)
    {
        var fullPath = Path.GetFullPath(bundlePath);
        var next = Create(fullPath);
        try
        {
            next.WarmUp();
        }
        catch
        {
            next.Bundle.Dispose();
            throw;
        }
        GroundingPipeline? retired;
        lock (_gate)
        {
            retired = _pipeline;
            _pipeline = next;
            _activePath = fullPath;
            _loadFailure = null;
            IsWarm = true;
        }
        if (retired is not null)
        {
            _ = Task.Delay(RetiredBundleGrace).ContinueWith(_ => retired.Bundle.Dispose(), TaskScheduler.Default);
        }
        loggers.CreateLogger<GroundingEngine>().LogInformation("Active bundle is now {Name} {Version} from {Path}.",
            next.Bundle.Manifest.Name, next.Bundle.Manifest.Version, fullPath);
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
