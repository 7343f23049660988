namespace GroundingWeb.Features.Api;

/// <summary>
/// One prompt's box: pixel xyxy of the (EXIF-oriented) image and the same box normalised to [0,1]. For a
/// bundle with a presence output, <c>presence</c> is the probability that the phrase names something in
/// the image and <c>found</c> whether it reaches the bundle's threshold (false: "not in this image", the
/// box is only the model's best guess); both are null for bundles without one.
/// </summary>
public sealed record ApiPrediction(long Id, string Prompt, float[] Box, float[] BoxNormalized, double? Presence, bool? Found);

public sealed record ApiImage(int Width, int Height, string Sha256);

/// <param name="PresenceThreshold">The bundle's presence threshold (for a stored prediction, the one its verdict was decided at); null for a bundle without a presence output.</param>
public sealed record ApiModel(string Name, string Version, bool Trained, double? PresenceThreshold = null);

/// <param name="ImageFusionMs">A split fusion head's image side, once per image (0 when cached or for a whole-graph head).</param>
public sealed record ApiTimings(double TotalMs, double DecodeMs, double PreprocessMs, double VisionMs, double TokenizeMs, double TextMs, double FusionMs, double ImageFusionMs);

/// <summary>The answer of POST /api/v1/ground.</summary>
public sealed record GroundResponse(
    IReadOnlyList<ApiPrediction> Predictions, ApiImage Image, ApiModel Model, string Provider, bool ImageTokensCached, ApiTimings Timings);

/// <summary>A stored prediction, as GET /api/v1/predictions/{id} returns it.</summary>
public sealed record PredictionResponse(
    long Id, string Prompt, float[] Box, ApiImage Image, ApiModel Model, string Provider, double TotalMs, string? User,
    DateTimeOffset CreatedAt, string ReviewState, double? Presence, bool? Found);

/// <summary>A bundle; <c>Path</c> and <c>Error</c> are given to signed-in team members only.</summary>
public sealed record ModelResponse(
    string? Path, bool Active, string? Name, string? Version, bool? Trained, string? Description, string? Error,
    IReadOnlyDictionary<string, GroundingWeb.Inference.Bundles.SplitMetrics>? Metrics);

public sealed record ModelsResponse(string Provider, bool WarmedUp, IReadOnlyList<ModelResponse> Bundles);
