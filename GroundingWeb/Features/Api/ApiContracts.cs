namespace GroundingWeb.Features.Api;

/// <summary>One prompt's box: pixel xyxy of the (EXIF-oriented) image and the same box normalised to [0,1].</summary>
public sealed record ApiPrediction(long Id, string Prompt, float[] Box, float[] BoxNormalized);

public sealed record ApiImage(int Width, int Height, string Sha256);

public sealed record ApiModel(string Name, string Version, bool Trained);

/// <param name="ImageFusionMs">A split fusion head's image side, once per image (0 when cached or for a whole-graph head).</param>
public sealed record ApiTimings(double TotalMs, double DecodeMs, double PreprocessMs, double VisionMs, double TokenizeMs, double TextMs, double FusionMs, double ImageFusionMs);

/// <summary>The answer of POST /api/v1/ground.</summary>
public sealed record GroundResponse(
    IReadOnlyList<ApiPrediction> Predictions, ApiImage Image, ApiModel Model, string Provider, bool ImageTokensCached, ApiTimings Timings);

/// <summary>A stored prediction, as GET /api/v1/predictions/{id} returns it.</summary>
public sealed record PredictionResponse(
    long Id, string Prompt, float[] Box, ApiImage Image, ApiModel Model, string Provider, double TotalMs, string? User,
    DateTimeOffset CreatedAt, string ReviewState);

/// <summary>A bundle; <c>Path</c> and <c>Error</c> are given to signed-in team members only.</summary>
public sealed record ModelResponse(
    string? Path, bool Active, string? Name, string? Version, bool? Trained, string? Description, string? Error,
    IReadOnlyDictionary<string, GroundingWeb.Inference.Bundles.SplitMetrics>? Metrics);

public sealed record ModelsResponse(string Provider, bool WarmedUp, IReadOnlyList<ModelResponse> Bundles);
