using System.ComponentModel.DataAnnotations;

namespace GroundingWeb.Inference.Runtime;

public enum ExecutionProviderPreference
{
    /// <summary>CUDA when its libraries load, else CPU (the reason is logged once).</summary>
    Auto,
    /// <summary>CUDA or fail: for machines that must not silently run slow.</summary>
    Cuda,
    Cpu,
}

/// <summary>The <c>Inference</c> configuration section.</summary>
public sealed class InferenceOptions
{
    public const string SectionName = "Inference";

    /// <summary>Folder of the bundle to load (holds bundle.json).</summary>
    [Required]
    public string BundlePath { get; set; } = "models/demo";

    public ExecutionProviderPreference ExecutionProvider { get; set; } = ExecutionProviderPreference.Auto;

    [Range(0, 1024)]
    public int CudaDeviceId { get; set; }

    /// <summary>
    /// One process-wide ONNX Runtime pool that every session runs on, so sessions never contend for
    /// cores (default); false gives each session its own pool, with spinning off unless asked for.
    /// </summary>
    public bool SharedThreadPool { get; set; } = true;

    /// <summary>Threads of the shared pool (or of each session's pool); 0 = one per core.</summary>
    [Range(0, 1024)]
    public int IntraOpThreads { get; set; }

    /// <summary>Per-session pools only (sessions run their graphs sequentially).</summary>
    [Range(0, 1024)]
    public int InterOpThreads { get; set; }

    /// <summary>Idle pool threads spin briefly before sleeping: lower latency between operators, but a spinning thread holds a core.</summary>
    public bool AllowSpinning { get; set; }

    /// <summary>Memory for cached image tokens; a second prompt on a cached image skips the vision encoder.</summary>
    [Range(0, 64 * 1024)]
    public int ImageTokenCacheMegabytes { get; set; } = 256;

    /// <summary>Run every model once at start so the first request is not the slow one.</summary>
    public bool WarmUp { get; set; } = true;

    [Range(1, 256)]
    public int MaxPromptsPerImage { get; set; } = 16;

    [Range(1, 10_000)]
    public int MaxPromptCharacters { get; set; } = 512;

    [Range(1, 1024)]
    public int MaxImageMegabytes { get; set; } = 20;

    [Range(1, 1_000)]
    public int MaxImageMegapixels { get; set; } = 40;
}
