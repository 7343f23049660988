namespace GroundingWeb.Evaluation.Datasets;

/// <summary>
/// One line of our JSON Lines dataset layout (camelCase JSON). <c>image</c> is relative to the
/// .jsonl file's folder or absolute; <c>box</c> is four numbers in <c>boxFormat</c> ("xyxy" or
/// "xywh", pixels), or null when the expression refers to nothing in the image. When <c>split</c> is absent the file name gives it (val.jsonl holds val).
/// RefShapes, exports of reviewed predictions and any other source are written this way.
/// </summary>
public sealed record JsonLinesRecord
{
    public required string Image { get; init; }
    public required string Expression { get; init; }
    /// <summary>Four numbers, or null for a no-target sample: the expression refers to nothing in the image.</summary>
    [System.Text.Json.Serialization.JsonIgnore(Condition = System.Text.Json.Serialization.JsonIgnoreCondition.Never)] // null is written: it means "refers to nothing"
    public required double[]? Box { get; init; }
    public string BoxFormat { get; init; } = "xyxy";
    public string? Split { get; init; }
    public string? Category { get; init; }
    public string? Kind { get; init; }
    public long? ImageId { get; init; }
    public long? RefId { get; init; }
    public long? AnnotationId { get; init; }
    public long? SentenceId { get; init; }
    public int? ImageWidth { get; init; }
    public int? ImageHeight { get; init; }
}
