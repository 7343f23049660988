using GroundingWeb.Inference.Geometry;

namespace GroundingWeb.Inference.Pipeline;

/// <summary>One prompt's answer: the box in the original image's pixels and normalised to [0,1].</summary>
public sealed record PromptPrediction
{
    public required string Prompt { get; init; }

    /// <summary>xyxy in pixels of the original (EXIF-oriented) image, clamped to it.</summary>
    public required Box PixelBox { get; init; }

    /// <summary>xyxy in [0,1] as the fusion head returned it.</summary>
    public required Box NormalizedBox { get; init; }

    /// <summary>The presence probability (the phrase names something in the image), for a head with a presence output; else null.</summary>
    public double? Presence { get; init; }

    /// <summary>
    /// Whether <see cref="Presence"/> reaches the bundle's threshold: false means "not in this image" and the box
    /// is only the head's best guess. Null for a head without presence (a box, no verdict).
    /// </summary>
    public bool? Found { get; init; }
}

/// <summary>Milliseconds per stage; stages skipped thanks to the cache are 0.</summary>
public sealed record StageTimings
{
    public double HashMs { get; init; }
    public double DecodeMs { get; init; }
    public double PreprocessMs { get; init; }
    public double VisionMs { get; init; }

    /// <summary>A split fusion head's image side (once per image, cached with it); 0 for a whole graph or a cached image.</summary>
    public double ImageFusionMs { get; init; }
    public double TokenizeMs { get; init; }
    public double TextMs { get; init; }
    /// <summary>The fusion head on the prompts (for a split head: its prompt side).</summary>
    public double FusionMs { get; init; }
    public double TotalMs { get; init; }
}

public sealed record GroundingResult
{
    public required string ImageSha256 { get; init; }
    public required int ImageWidth { get; init; }
    public required int ImageHeight { get; init; }

    /// <summary>True when the image tokens came from the cache and the vision encoder did not run.</summary>
    public required bool ImageTokensCached { get; init; }

    public required string Provider { get; init; }
    public required StageTimings Timings { get; init; }
    public required IReadOnlyList<PromptPrediction> Predictions { get; init; }
}

/// <summary>Prompts the pipeline refuses (empty, too long, too many): a client error, not a server one.</summary>
public sealed class GroundingInputException(string message) : Exception(message);
