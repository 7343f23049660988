using Microsoft.ML.OnnxRuntime;

namespace GroundingWeb.Inference.Runtime;

/// <summary>
/// The process's ONNX Runtime environment and its one shared intra-op thread pool. Every session of
/// every bundle runs on that pool: per-session pools (two threads each, spinning) made the vision,
/// text and fusion sessions take cores from one another on a small machine. The environment is
/// created once per process, so the first configuration wins; when something else created it first
/// (a plain <c>new InferenceSession</c>), sessions fall back to their own pools with spinning off.
/// </summary>
internal static class OrtThreading
{
    private static readonly Lock Gate = new();
    private static ThreadPoolState? _state;

    /// <summary>Creates the environment with the shared pool when it does not exist yet; returns what the process has.</summary>
    public static ThreadPoolState Ensure(InferenceOptions options)
    {
        lock (Gate)
        {
            return _state ??= Create(options);
        }
    }

    /// <summary>Makes <paramref name="sessionOptions"/> use the shared pool, or an own pool that never spins.</summary>
    public static void Apply(SessionOptions sessionOptions, InferenceOptions options)
    {
        var state = Ensure(options);
        if (options.SharedThreadPool && state.Shared)
        {
            sessionOptions.DisablePerSessionThreads();
            return;
        }
        sessionOptions.IntraOpNumThreads = options.IntraOpThreads;
        sessionOptions.InterOpNumThreads = options.InterOpThreads;
        // Own pools exist side by side: a spinning idle pool would steal the core another session computes on.
        sessionOptions.AddSessionConfigEntry("session.intra_op.allow_spinning", options.AllowSpinning ? "1" : "0");
        sessionOptions.AddSessionConfigEntry("session.inter_op.allow_spinning", "0");
    }

    private static ThreadPoolState Create(InferenceOptions options)
    {
        if (OrtEnv.IsCreated || !options.SharedThreadPool)
        {
            OrtEnv.Instance();
            return new ThreadPoolState(false, 0, false);
        }
        var threads = options.IntraOpThreads > 0 ? options.IntraOpThreads : Environment.ProcessorCount;
        using var threading = new OrtThreadingOptions
        {
            GlobalIntraOpNumThreads = threads,
            GlobalInterOpNumThreads = 1,
            GlobalSpinControl = options.AllowSpinning,
        };
        var creation = new EnvironmentCreationOptions { threadOptions = threading, logLevel = OrtLoggingLevel.ORT_LOGGING_LEVEL_WARNING };
        OrtEnv.CreateInstanceWithOptions(ref creation);
        return new ThreadPoolState(true, threads, options.AllowSpinning);
    }
}

/// <summary>Whether the process runs one shared pool, and its size.</summary>
internal sealed record ThreadPoolState(bool Shared, int Threads, bool Spinning)
{
    public string Describe(InferenceOptions options)
    {
        if (Shared && options.SharedThreadPool) return $"one shared pool of {Threads} thread(s), spinning {(Spinning ? "on" : "off")}";
        var each = options.IntraOpThreads > 0 ? $"{options.IntraOpThreads.ToString(System.Globalization.CultureInfo.InvariantCulture)} thread(s)" : "a thread per core";
        return $"a pool per session ({each} each, spinning {(options.AllowSpinning ? "on" : "off")})";
    }
}
