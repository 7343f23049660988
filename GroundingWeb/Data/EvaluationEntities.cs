namespace GroundingWeb.Data;

/// <summary>A dataset folder an admin registered, with what validation found in it.</summary>
public sealed class RegisteredDataset
{
    public long Id { get; set; }
    public required string Name { get; set; }
    public required string Path { get; set; }

    /// <summary>refer, parquet or jsonl (the CLI's --format).</summary>
    public required string Format { get; set; }

    /// <summary>Where images are looked for when not next to the annotations (refer/parquet); null for the defaults.</summary>
    public string? ImageFolder { get; set; }

    /// <summary>Samples per split, as JSON: {"val": 1448, ...}.</summary>
    public required string SplitCountsJson { get; set; }

    /// <summary>Rows the reader skipped (missing image, empty box...), all splits together.</summary>
    public int SkippedCount { get; set; }

    public DateTimeOffset RegisteredAt { get; set; }
    public required string RegisteredBy { get; set; }
}

public enum RunStatus
{
    Queued = 0,
    Running = 1,
    Completed = 2,
    Failed = 3,
    Cancelled = 4,

    /// <summary>The app stopped while the run was going; it is never left "running".</summary>
    Interrupted = 5,
}

/// <summary>One evaluation of a bundle on a dataset split, and its summary once done.</summary>
public sealed class EvaluationRun
{
    public long Id { get; set; }
    public required string BundlePath { get; set; }
    public required string ModelName { get; set; }
    public required string ModelVersion { get; set; }
    public long DatasetId { get; set; }
    public RegisteredDataset? Dataset { get; set; }
    public required string Split { get; set; }

    /// <summary>Only the first N samples of the split, as <c>grounding evaluate --limit</c>.</summary>
    public int? Limit { get; set; }

    public RunStatus Status { get; set; }
    public int SamplesDone { get; set; }
    public int SamplesTotal { get; set; }
    public string? Error { get; set; }
    public required string CreatedBy { get; set; }
    public DateTimeOffset CreatedAt { get; set; }
    public DateTimeOffset? StartedAt { get; set; }
    public DateTimeOffset? FinishedAt { get; set; }

    // The summary, filled when the run completes.
    public int Count { get; set; }
    public double MeanIou { get; set; }
    public double AccuracyAt50 { get; set; }
    public double AccuracyAt75 { get; set; }
    public double CocoAp50 { get; set; }
    public double CocoAp75 { get; set; }
    public int FailedCount { get; set; }
    public double Seconds { get; set; }

    // "Not in this image" (GREC-style), filled when the split has no-target samples or the bundle a presence output.
    public int? NoTargetCount { get; set; }
    public double? NoTargetAccuracy { get; set; }
    public double? TargetAccuracy { get; set; }
    public double? RejectionPrecision { get; set; }
    public double? PresenceAuroc { get; set; }

    public bool IsFinished => Status is RunStatus.Completed or RunStatus.Failed or RunStatus.Cancelled or RunStatus.Interrupted;
}

/// <summary>One sample's outcome in a run: ground truth, prediction and their IoU.</summary>
public sealed class EvaluationSampleResult
{
    public long Id { get; set; }
    public long RunId { get; set; }

    /// <summary>The sample's position in the split (0-based), as the reader returned it.</summary>
    public int Row { get; set; }

    public required string ImagePath { get; set; }

    /// <summary>
    /// The dataset folder the image was confined to when the run read it (null for runs from before the
    /// column): served images must still lie inside it, and results files name images relative to it.
    /// </summary>
    public string? ImageRoot { get; set; }

    /// <summary>The image as results files and pages name it: relative to the dataset, never a server path.</summary>
    public string ImageName => Evaluation.Datasets.DatasetImages.NameWithin(ImagePath, ImageRoot);

    public required string Expression { get; set; }
    public string? Kind { get; set; }
    public string? Category { get; set; }
    public float TruthX1 { get; set; }
    public float TruthY1 { get; set; }
    public float TruthX2 { get; set; }
    public float TruthY2 { get; set; }
    public float PredictedX1 { get; set; }
    public float PredictedY1 { get; set; }
    public float PredictedX2 { get; set; }
    public float PredictedY2 { get; set; }
    public float Iou { get; set; }
    public int? ImageWidth { get; set; }
    public int? ImageHeight { get; set; }

    /// <summary>Why the sample could not be answered (it counts as IoU 0), else null.</summary>
    public string? Failure { get; set; }

    /// <summary>False for a no-target sample (it refers to nothing; its truth box is empty and it is not in the box metrics).</summary>
    public bool HasTarget { get; set; } = true;

    /// <summary>The model's presence probability, for a bundle with a presence output.</summary>
    public double? Presence { get; set; }

    /// <summary>Whether the model said "found" (a bundle without presence always does).</summary>
    public bool Found { get; set; } = true;

    public GroundingWeb.Inference.Geometry.Box Truth => new(TruthX1, TruthY1, TruthX2, TruthY2);
    public GroundingWeb.Inference.Geometry.Box Predicted => new(PredictedX1, PredictedY1, PredictedX2, PredictedY2);
}
