using System.Runtime.ExceptionServices;
using GroundingWeb.Inference.Bundles;
using GroundingWeb.Inference.Imaging;
using GroundingWeb.Inference.Pipeline;
using GroundingWeb.Inference.Runtime;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Microsoft.ML.OnnxRuntime;

namespace GroundingWeb.Inference.Hosting;

/// <summary>
/// Owns the bundles of a host: one set of ONNX sessions per bundle folder for the whole process,
/// shared by every caller. <see cref="Acquire()"/> hands out a pipeline on the active bundle (with
/// the visitors' image-token cache); <see cref="Acquire(string, long)"/> one on any bundle with a
/// cache of its own (evaluation runs). Each is a lease: dispose it when the call is done. A bundle
/// replaced by <see cref="Activate"/> closes when its last lease ends.
/// </summary>
public sealed partial class GroundingEngine : IDisposable
{
    private readonly Lock _gate = new();
    private readonly InferenceOptions _options;
    private readonly BundleLoader _loader;
    private readonly ILoggerFactory _loggers;
    private readonly ILogger<GroundingEngine> _logger;
    // Every bundle the engine opened whose sessions are still open: the active one, replaced ones that
    // still serve calls, and ones only evaluation runs use.
    private readonly Dictionary<string, ModelBundle> _open = new(StringComparer.Ordinal);
    private ModelBundle? _active;
    private ImageTokenCache? _servingCache;
    private ExceptionDispatchInfo? _loadFailure;
    private string? _activePath;
    private bool _disposed;

    internal GroundingEngine(IOptions<InferenceOptions> options, BundleLoader loader, ILoggerFactory loggers)
    {
        _options = options.Value;
        _loader = loader;
        _loggers = loggers;
        _logger = loggers.CreateLogger<GroundingEngine>();
        ImageLimits = GroundingPipeline.ImageLimitsOf(_options);
    }

    public InferenceOptions Options => _options;

    /// <summary>The upload limits every pipeline of this engine applies.</summary>
    public ImageLimits ImageLimits { get; }

    /// <summary>True once every model of the active bundle has run once.</summary>
    public bool IsWarm { get; private set; }

    /// <summary>The folder of the bundle in use: the configured one until <see cref="Activate"/> picks another.</summary>
    public string ActiveBundlePath
    {
        get { lock (_gate) return _activePath ??= Key(BundlePathResolver.Resolve(_options.BundlePath)); }
    }

    /// <summary>
    /// A pipeline on the active bundle, sharing its sessions and the visitors' image-token cache. The
    /// bundle is loaded on first use; one that failed to load fails the same way for every caller.
    /// </summary>
    /// <exception cref="BundleException">The active bundle cannot be loaded.</exception>
    public GroundingPipeline Acquire()
    {
        lock (_gate)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            _loadFailure?.Throw();
            if (_active is null)
            {
                try
                {
                    // Under the lock: callers would wait for this bundle anyway, and it loads once. An
                    // evaluation may have opened it already; its reference then becomes the active one's.
                    var path = _activePath ??= Key(BundlePathResolver.Resolve(_options.BundlePath));
                    if (TryRetainOpen(path) is not { } open)
                    {
                        open = _loader.Load(path);
                        _open[path] = open;
                    }
                    _active = open;
                    _servingCache = new ImageTokenCache(GroundingPipeline.CacheBytes(_options));
                }
                catch (Exception ex) when (ex is BundleException or InvalidOperationException or IOException)
                {
                    _loadFailure = ExceptionDispatchInfo.Capture(ex);
                    throw;
                }
            }
            // The active bundle's own reference is held until it is replaced, so this cannot fail.
            _active.TryRetain();
            return new GroundingPipeline(_active, _options, _servingCache!, _loggers.CreateLogger<GroundingPipeline>());
        }
    }

    /// <summary>
    /// A pipeline on the bundle in <paramref name="bundlePath"/> with an image-token cache of its own,
    /// so its images never evict the visitors'. It shares the sessions of that bundle when they are
    /// open (the active one included) and opens them otherwise.
    /// </summary>
    public GroundingPipeline Acquire(string bundlePath, long imageTokenCacheBytes)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(imageTokenCacheBytes);
        var bundle = RetainOrLoad(Key(bundlePath));
        return new GroundingPipeline(bundle, _options, new ImageTokenCache(imageTokenCacheBytes), _loggers.CreateLogger<GroundingPipeline>());
    }

    /// <exception cref="BundleException">The active bundle cannot be loaded, or its models fail their first run.</exception>
    public void WarmUp()
    {
        using (var pipeline = Acquire())
        {
            WarmUp(pipeline);
        }
        IsWarm = true;
    }

    /// <summary>
    /// Loads and warms the bundle in <paramref name="bundlePath"/>, then makes it the active one. A
    /// bundle that fails to load leaves the current one active. The replaced bundle closes when the
    /// last call that acquired it before the switch has ended.
    /// </summary>
    public void Activate(string bundlePath)
    {
        var fullPath = Key(bundlePath);
        // The reference the active bundle keeps until it is replaced in turn.
        var next = RetainOrLoad(fullPath);
        try
        {
            // One more for the warm-up pipeline, given back when it is disposed.
            next.TryRetain();
            using var warm = new GroundingPipeline(next, _options, new ImageTokenCache(0), _loggers.CreateLogger<GroundingPipeline>());
            WarmUp(warm);
        }
        catch
        {
            next.Release();
            throw;
        }
        ModelBundle? replaced;
        lock (_gate)
        {
            if (_disposed)
            {
                next.Release();
                throw new ObjectDisposedException(nameof(GroundingEngine));
            }
            replaced = _active;
            _active = next;
            _activePath = fullPath;
            _servingCache = new ImageTokenCache(GroundingPipeline.CacheBytes(_options));
            _loadFailure = null;
            IsWarm = true;
        }
        replaced?.Release();
        LogActivated(_logger, next.Manifest.Name, next.Manifest.Version, fullPath);
    }

    /// <summary>
    /// Closes every bundle, including replaced ones that leases still hold, each once the calls running
    /// on it have ended; later calls on those leases throw <see cref="ObjectDisposedException"/>.
    /// </summary>
    public void Dispose()
    {
        List<ModelBundle> open;
        lock (_gate)
        {
            if (_disposed)
            {
                return;
            }
            _disposed = true;
            open = [.. _open.Values];
            _open.Clear();
            _active = null;
        }
        open.ForEach(bundle => bundle.Dispose());
    }

    /// <summary>One spelling per folder (absolute, no trailing separator), so that one folder never gets two sets of sessions.</summary>
    private static string Key(string bundlePath) => Path.TrimEndingDirectorySeparator(Path.GetFullPath(bundlePath));

    /// <summary>A model that loads but fails its first run (a CUDA out-of-memory, an operator the provider lacks) is a bad bundle.</summary>
    private static void WarmUp(GroundingPipeline pipeline)
    {
        try
        {
            pipeline.WarmUp();
        }
        catch (OnnxRuntimeException ex)
        {
            throw new BundleException($"{pipeline.BundleDirectory}: the models load but fail their first run: {ex.Message}", ex);
        }
    }

    /// <summary>A reference to the open bundle of that folder, or to a newly loaded one.</summary>
    private ModelBundle RetainOrLoad(string fullPath)
    {
        lock (_gate)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            if (TryRetainOpen(fullPath) is { } open)
            {
                return open;
            }
        }
        var loaded = _loader.Load(fullPath);
        lock (_gate)
        {
            if (_disposed)
            {
                loaded.Dispose();
                throw new ObjectDisposedException(nameof(GroundingEngine));
            }
            // Another caller may have opened the same folder meanwhile: one set of sessions per folder.
            if (TryRetainOpen(fullPath) is { } other)
            {
                loaded.Dispose();
                return other;
            }
            _open[fullPath] = loaded;
            return loaded;
        }
    }

    private ModelBundle? TryRetainOpen(string fullPath)
    {
        foreach (var closed in _open.Where(e => e.Value.IsClosed).Select(e => e.Key).ToList())
        {
            _open.Remove(closed);
        }
        return _open.TryGetValue(fullPath, out var bundle) && bundle.TryRetain() ? bundle : null;
    }

    [LoggerMessage(EventId = 1020, Level = LogLevel.Information, Message = "Active bundle is now {Name} {Version} from {Path}.")]
    private static partial void LogActivated(ILogger logger, string name, string version, string path);
}
