namespace GroundingWeb.Inference.Imaging;

/// <summary>Upper bounds an uploaded image must respect before it is fully decoded.</summary>
public sealed record ImageLimits
{
    /// <summary>Largest accepted encoded size, in bytes.</summary>
    public long MaxBytes { get; init; } = 20 * 1024 * 1024;

    /// <summary>Largest accepted width * height, read from the header before decoding.</summary>
    public long MaxPixels { get; init; } = 40_000_000;

    /// <summary>Largest accepted width or height, read from the header before decoding.</summary>
    public int MaxSide { get; init; } = 16_384;
}
