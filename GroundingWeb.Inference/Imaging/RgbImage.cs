namespace GroundingWeb.Inference.Imaging;

/// <summary>An 8-bit RGB image, row-major HWC: byte <c>(y * Width + x) * 3 + c</c>, c = R, G, B.</summary>
public sealed class RgbImage
{
    public required int Width { get; init; }

    public required int Height { get; init; }

    /// <summary>Interleaved R, G, B bytes; length Width * Height * 3.</summary>
    public required byte[] Pixels { get; init; }
}
