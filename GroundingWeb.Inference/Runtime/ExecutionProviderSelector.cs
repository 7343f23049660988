using Microsoft.Extensions.Logging;
using Microsoft.ML.OnnxRuntime;

namespace GroundingWeb.Inference.Runtime;

/// <summary>
/// Decides once per process which execution provider the sessions use. CUDA is probed by appending
/// its provider to a throw-away <see cref="SessionOptions"/>: that is where ONNX Runtime loads the
/// CUDA, cuBLAS and cuDNN libraries and fails when they are missing.
/// </summary>
internal sealed partial class ExecutionProviderSelector(InferenceOptions options, ILogger<ExecutionProviderSelector> logger)
{
    private readonly Lock _gate = new();
    private string? _provider;

    /// <summary>"CUDA" or "CPU".</summary>
    public string Provider
    {
        get
        {
            lock (_gate)
            {
                return _provider ??= Select();
            }
        }
    }

    /// <summary>The threads the sessions run on, in words (for logs and bench).</summary>
    public string ThreadPool => OrtThreading.Ensure(options).Describe(options);

    /// <summary>Why CUDA is not used, when it is not (null when it is, or when CPU was asked for).</summary>
    public string? FallbackReason { get; private set; }

    public SessionOptions CreateSessionOptions()
    {
        // Before the first SessionOptions: its constructor creates the environment, without the shared pool.
        OrtThreading.Ensure(options);
        var sessionOptions = new SessionOptions
        {
            GraphOptimizationLevel = GraphOptimizationLevel.ORT_ENABLE_ALL,
            // Public exports carry checkpoint tensors their graph does not use (a DINOv3 mask token, BERT's
            // pooler); ONNX Runtime warns about each on every load, which a user cannot act on.
            LogSeverityLevel = OrtLoggingLevel.ORT_LOGGING_LEVEL_ERROR,
        };
        try
        {
            OrtThreading.Apply(sessionOptions, options);
            if (Provider == "CUDA")
            {
                sessionOptions.AppendExecutionProvider_CUDA(options.CudaDeviceId);
            }
            return sessionOptions;
        }
        catch
        {
            sessionOptions.Dispose();
            throw;
        }
    }

    private string Select()
    {
        if (options.ExecutionProvider == ExecutionProviderPreference.Cpu)
        {
            LogProvider(logger, "CPU", $"configured; {ThreadPool}");
            return "CPU";
        }
        var failure = ProbeCuda(options.CudaDeviceId);
        if (failure is null)
        {
            LogProvider(logger, "CUDA", $"device {options.CudaDeviceId}; {ThreadPool}");
            return "CUDA";
        }
        if (options.ExecutionProvider == ExecutionProviderPreference.Cuda)
        {
            throw new InvalidOperationException(
                $"Inference:ExecutionProvider is 'Cuda' but the CUDA provider does not load: {failure} " +
                "Install CUDA 13 and cuDNN 9 (see README), or set Inference:ExecutionProvider to 'Auto' or 'Cpu'.");
        }
        FallbackReason = failure;
        LogCudaFallback(logger, failure);
        LogProvider(logger, "CPU", $"CUDA unavailable; {ThreadPool}");
        return "CPU";
    }

    private string? ProbeCuda(int deviceId)
    {
        // ONNX Runtime also prints the loader's failure as an error line of its own; the fallback is
        // expected on machines without CUDA, so that line is silenced and our warning says it once.
        OrtThreading.Ensure(options);
        var env = OrtEnv.Instance();
        var level = env.EnvLogLevel;
        env.EnvLogLevel = OrtLoggingLevel.ORT_LOGGING_LEVEL_FATAL;
        try
        {
            using var probe = new SessionOptions();
            probe.AppendExecutionProvider_CUDA(deviceId);
            return null;
        }
        catch (Exception ex) when (ex is OnnxRuntimeException or DllNotFoundException or EntryPointNotFoundException or BadImageFormatException)
        {
            return ex.Message.ReplaceLineEndings(" ").Trim() + " (the CUDA provider needs the CUDA 13 and cuDNN 9 libraries on the library path)";
        }
        finally
        {
            env.EnvLogLevel = level;
        }
    }

    [LoggerMessage(EventId = 1001, Level = LogLevel.Information, Message = "ONNX Runtime execution provider: {Provider} ({Detail})")]
    private static partial void LogProvider(ILogger logger, string provider, string detail);

    [LoggerMessage(EventId = 1002, Level = LogLevel.Warning, Message = "CUDA execution provider unavailable, using CPU: {Reason}")]
    private static partial void LogCudaFallback(ILogger logger, string reason);
}
