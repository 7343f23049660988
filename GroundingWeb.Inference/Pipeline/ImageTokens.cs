namespace GroundingWeb.Inference.Pipeline;

/// <summary>
/// The vision encoder's output for one image, row-major [Count, Width], plus the size of the image
/// the boxes scale to.
/// </summary>
public sealed record ImageTokens(float[] Tokens, int Count, int Width, int ImageWidth, int ImageHeight)
{
    public long SizeInBytes => (long)Tokens.Length * sizeof(float);
}

/// <summary>
/// The text encoder's output for a batch of texts, row-major [Count, SequenceLength, Width]: each
/// text's tokens first ([CLS] ... [SEP]), then padding up to the longest one.
/// </summary>
public sealed record TextTokens(float[] Tokens, int Count, int SequenceLength, int Width, int[] Lengths)
{
    /// <summary>The tokens of text <paramref name="index"/> without its padding, [Lengths[index], Width].</summary>
    public ReadOnlyMemory<float> Of(int index) =>
        Tokens.AsMemory(index * SequenceLength * Width, Lengths[index] * Width);
}
