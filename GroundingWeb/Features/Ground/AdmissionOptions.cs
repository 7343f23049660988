using System.ComponentModel.DataAnnotations;

namespace GroundingWeb.Features.Ground;

/// <summary>The <c>Admission</c> section: how many grounding requests run and wait at once.</summary>
public sealed class AdmissionOptions
{
    public const string SectionName = "Admission";

    /// <summary>Requests the models work on at once; 0 = one per core (they share one ONNX Runtime pool).</summary>
    [Range(0, 1024)]
    public int MaxConcurrent { get; set; }

    /// <summary>Requests that may wait for a free slot; one more is refused at once with 503.</summary>
    [Range(0, 100_000)]
    public int MaxQueued { get; set; } = 8;

    /// <summary>How long a queued request waits for a slot before it is refused with 503.</summary>
    [Range(1, 600_000)]
    public int MaxWaitMilliseconds { get; set; } = 2000;

    public int ConcurrentOrCores => MaxConcurrent > 0 ? MaxConcurrent : Environment.ProcessorCount;
}
