namespace GroundingWeb.Data;

/// <summary>A reviewer's judgement of a predicted box.</summary>
public enum Verdict
{
    /// <summary>The model's box is right as it is.</summary>
    Correct = 1,

    /// <summary>The box is wrong and the reviewer gives no better one (e.g. the object is not there).</summary>
    Incorrect = 2,

    /// <summary>The reviewer moved or redrew the box; the corrected box is the right answer.</summary>
    Fixed = 3,

    /// <summary>
    /// The phrase names nothing in the image: no box is right. A correct rejection when the model said
    /// "not in this image"; exported as a no-target sample (issue 15).
    /// </summary>
    NotInImage = 4,
}

/// <summary>One reviewer's verdict on one prediction (a reviewer can change it; one row per pair).</summary>
public sealed class PredictionReview
{
    public long Id { get; set; }
    public long PredictionId { get; set; }
    public PredictionRecord? Prediction { get; set; }

    public required string ReviewerId { get; set; }
    public required string ReviewerName { get; set; }
    public Verdict Verdict { get; set; }

    /// <summary>The reviewer's box (xyxy pixels) when the verdict is Fixed.</summary>
    public float? X1 { get; set; }
    public float? Y1 { get; set; }
    public float? X2 { get; set; }
    public float? Y2 { get; set; }

    /// <summary>IoU between the model's box and the corrected one (Fixed only).</summary>
    public double? IouWithModel { get; set; }

    public DateTimeOffset CreatedAt { get; set; }
    public DateTimeOffset UpdatedAt { get; set; }

    public GroundingWeb.Inference.Geometry.Box? CorrectedBox =>
        X1 is { } x1 && Y1 is { } y1 && X2 is { } x2 && Y2 is { } y2 ? new(x1, y1, x2, y2) : null;
}

/// <summary>A message in a prediction's discussion.</summary>
public sealed class PredictionComment
{
    public long Id { get; set; }
    public long PredictionId { get; set; }
    public required string AuthorId { get; set; }
    public required string AuthorName { get; set; }
    public required string Text { get; set; }
    public DateTimeOffset CreatedAt { get; set; }
}
