using GroundingWeb.Inference.Geometry;

namespace GroundingWeb.Data;

/// <summary>Whether anyone has judged a prediction yet (the review queue fills this in).</summary>
public enum ReviewState
{
    Unreviewed = 0,
    Reviewed = 1,
}

/// <summary>One prompt's predicted box on one image, as the model returned it, with who asked and when.</summary>
public sealed class PredictionRecord
{
    public long Id { get; set; }

    public required string ImageSha256 { get; set; }
    public StoredImage? Image { get; set; }

    public required string Prompt { get; set; }

    /// <summary>xyxy in pixels of the (EXIF-oriented) image.</summary>
    public float X1 { get; set; }
    public float Y1 { get; set; }
    public float X2 { get; set; }
    public float Y2 { get; set; }

    public Box PixelBox => new(X1, Y1, X2, Y2);

    /// <summary>The model's presence probability for a bundle with a presence output (issue 15); null for others.</summary>
    public double? Presence { get; set; }

    /// <summary>Whether the presence reached the bundle's threshold when predicted: false is "not in this image"; null without presence.</summary>
    public bool? Found { get; set; }

    /// <summary>The bundle's presence threshold that <see cref="Found"/> was decided at; null without presence (and for rows from before it was kept).</summary>
    public double? PresenceThreshold { get; set; }

    public required string ModelName { get; set; }
    public required string ModelVersion { get; set; }
    public bool ModelTrained { get; set; }
    public required string Provider { get; set; }

    /// <summary>Milliseconds of the request that produced it (shared by the prompts of one request).</summary>
    public double TotalMs { get; set; }
    public double VisionMs { get; set; }
    public double TextMs { get; set; }
    public double FusionMs { get; set; }
    public bool ImageTokensCached { get; set; }

    /// <summary>The signed-in user's id, null for anonymous demo use.</summary>
    public string? UserId { get; set; }

    /// <summary>The user's name at the time, kept so history reads well after a user is removed.</summary>
    public string? UserName { get; set; }

    public DateTimeOffset CreatedAt { get; set; }

    public ReviewState ReviewState { get; set; }

    public List<PredictionReview> Reviews { get; set; } = [];
    public List<PredictionComment> Comments { get; set; } = [];
}
