namespace GroundingWeb.Inference.Pipeline;

/// <summary>
/// An image made ready for grounding by <see cref="GroundingPipeline.Prepare"/>: hashed, decoded,
/// resized and normalised, with nothing run on the models yet. Lets a caller with many images
/// prepare the next one while the models run on the current one. Holds the bytes it came from, in
/// case the cache drops the image before it is grounded.
/// </summary>
public sealed class PreparedImage
{
    internal PreparedImage() { }

    /// <summary>SHA-256 of the bytes (hex), the image-token cache's key.</summary>
    public required string Key { get; init; }

    internal ReadOnlyMemory<byte> Bytes { get; init; }

    /// <summary>The vision encoder's input [3, H, W]; null when the cache held the image at preparation.</summary>
    internal float[]? Pixels { get; set; }

    internal int Width { get; set; }
    internal int Height { get; set; }
    internal double HashMs { get; init; }
    internal double DecodeMs { get; set; }
    internal double PreprocessMs { get; set; }
}
