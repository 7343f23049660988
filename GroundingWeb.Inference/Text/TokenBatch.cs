namespace GroundingWeb.Inference.Text;

/// <summary>
/// A batch of encoded texts, ready for a BERT-style ONNX encoder. Every array is row-major [BatchSize, SequenceLength].
/// </summary>
internal sealed record TokenBatch
{
    public required int BatchSize { get; init; }

    /// <summary>Length of the longest encoded text in the batch; shorter rows are padded with id 0.</summary>
    public required int SequenceLength { get; init; }

    public required long[] InputIds { get; init; }

    /// <summary>1 for a real token (including [CLS] and [SEP]), 0 for padding.</summary>
    public required long[] AttentionMask { get; init; }

    /// <summary>All 0: single-segment inputs.</summary>
    public required long[] TokenTypeIds { get; init; }
}
