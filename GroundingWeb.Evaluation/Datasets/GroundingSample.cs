using GroundingWeb.Inference.Geometry;

namespace GroundingWeb.Evaluation.Datasets;

/// <summary>
/// One referring expression and the box it refers to (or, for a no-target sample, the fact that it
/// refers to nothing): what every dataset reader yields (one sample per sentence), whatever the
/// source format (DESIGN.md section 5).
/// </summary>
public sealed record GroundingSample
{
    /// <summary>Absolute path of the image file.</summary>
    public required string ImagePath { get; init; }

    /// <summary>
    /// The folder the reader confined the image to (the dataset's folder or its image folder, see
    /// <see cref="DatasetImages"/>); null for samples made in code. Results name images relative to it.
    /// </summary>
    public string? ImageRoot { get; init; }

    public required string Expression { get; init; }

    /// <summary>xyxy in pixels of the image as decoded (EXIF orientation applied); empty for a no-target sample.</summary>
    public required Box Box { get; init; }

    /// <summary>
    /// False for a no-target sample: the expression refers to nothing in the image (a negative, GREC-style;
    /// JSON Lines writes its box as null). Its <see cref="Box"/> is empty and is never scored by IoU.
    /// </summary>
    public bool HasTarget { get; init; } = true;

    /// <summary>train, val, testA, testB (RefCOCO UNC names; other datasets may add their own).</summary>
    public required string Split { get; init; }

    /// <summary>Object category name (COCO category, or the RefShapes shape).</summary>
    public string? Category { get; init; }

    /// <summary>Kind of expression where the dataset knows it (RefShapes: attribute, position, relation, ordinal, superlative).</summary>
    public string? Kind { get; init; }

    public long? ImageId { get; init; }
    public long? RefId { get; init; }
    public long? AnnotationId { get; init; }
    public long? SentenceId { get; init; }
    public int? ImageWidth { get; init; }
    public int? ImageHeight { get; init; }
}

/// <summary>A source row a reader could not use, with the reason: reported, never silently dropped.</summary>
public sealed record SkippedRow(string File, long Row, string Reason);

public sealed record DatasetReadResult
{
    public required IReadOnlyList<GroundingSample> Samples { get; init; }
    public required IReadOnlyList<SkippedRow> Skipped { get; init; }
}

public enum DatasetFormat
{
    /// <summary>refer toolkit layout: refs(unc).p pickle + instances.json (COCO).</summary>
    Refer,
    /// <summary>Hugging Face jxu124/refcoco parquet files.</summary>
    Parquet,
    /// <summary>Our JSON Lines layout (see <see cref="JsonLinesRecord"/>).</summary>
    Jsonl,
}
