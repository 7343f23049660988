using System.Diagnostics.Metrics;
using GroundingWeb.Inference.Pipeline;

namespace GroundingWeb.Features.Ground;

/// <summary>
/// OpenTelemetry metrics of the meter <c>GroundingWeb</c>: request latency per stage and how often the
/// image-token cache spared the vision encoder (hit rate = hits / (hits + misses)).
/// </summary>
public sealed class GroundingTelemetry : IDisposable
{
    public const string MeterName = "GroundingWeb";

    private readonly Meter _meter;
    private readonly Histogram<double> _latency;
    private readonly Counter<long> _cacheHits;
    private readonly Counter<long> _cacheMisses;
    private readonly Counter<long> _prompts;
    private readonly Counter<long> _refused;

    public GroundingTelemetry(IMeterFactory meters)
    {
        _meter = meters.Create(MeterName);
        _latency = _meter.CreateHistogram<double>("grounding.inference.duration", "ms", "Time to ground one request's prompts, by stage.");
        _cacheHits = _meter.CreateCounter<long>("grounding.image_cache.hits", description: "Requests whose image tokens came from the cache.");
        _cacheMisses = _meter.CreateCounter<long>("grounding.image_cache.misses", description: "Requests that ran the vision encoder.");
        _prompts = _meter.CreateCounter<long>("grounding.prompts", description: "Prompts grounded.");
        _refused = _meter.CreateCounter<long>("grounding.admission.refused", description: "Requests refused with 503 because the inference queue was full or its wait ran out.");
    }

    public void RecordRefused() => _refused.Add(1);

    public void Record(GroundingResult result, string source)
    {
        var origin = new KeyValuePair<string, object?>("source", source);
        _latency.Record(result.Timings.TotalMs, origin, new("stage", "total"));
        _latency.Record(result.Timings.VisionMs, origin, new("stage", "vision"));
        _latency.Record(result.Timings.TextMs, origin, new("stage", "text"));
        _latency.Record(result.Timings.FusionMs, origin, new("stage", "fusion"));
        (result.ImageTokensCached ? _cacheHits : _cacheMisses).Add(1, origin);
        _prompts.Add(result.Predictions.Count, origin);
    }

    public void Dispose() => _meter.Dispose();
}
