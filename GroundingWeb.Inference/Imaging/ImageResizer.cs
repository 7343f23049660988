namespace GroundingWeb.Inference.Imaging;

/// <summary>Resizes 8-bit RGB images with the exact arithmetic of the library a model was trained with.</summary>
internal static class ImageResizer
{
    /// <summary>Returns <paramref name="source"/> resized to <paramref name="width"/> x <paramref name="height"/>, HWC RGB bytes.</summary>
    public static byte[] Resize(RgbImage source, int width, int height, ResizeMethod method)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(width);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(height);
        var destination = new byte[checked(width * height * 3)];
        ResizeInto(source, destination, width, height, method);
        return destination;
    }

    /// <summary>Resizes into <paramref name="destination"/> (exactly width * height * 3 bytes), so callers can pool the buffer.</summary>
    internal static void ResizeInto(RgbImage source, Span<byte> destination, int width, int height, ResizeMethod method)
    {
        ArgumentNullException.ThrowIfNull(source);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(width);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(height);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(source.Width, nameof(source));
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(source.Height, nameof(source));
        if (source.Pixels.Length != (long)source.Width * source.Height * 3)
        {
            throw new ArgumentException(
                $"RgbImage holds {source.Pixels.Length} bytes but {source.Width}x{source.Height}x3 = {(long)source.Width * source.Height * 3} are needed.",
                nameof(source));
        }

        if (destination.Length != (long)width * height * 3)
        {
            throw new ArgumentException($"Expected a destination of {(long)width * height * 3} bytes for {width}x{height}, got {destination.Length}.", nameof(destination));
        }

        switch (method)
        {
            case ResizeMethod.Cv2Bilinear:
                Cv2BilinearResizer.Resize(source.Pixels, source.Width, source.Height, destination, width, height);
                break;
            case ResizeMethod.AntialiasBilinear:
                PillowBilinearResizer.Resize(source.Pixels, source.Width, source.Height, destination, width, height);
                break;
            default:
                throw new ArgumentOutOfRangeException(nameof(method), method, "Resize method without an 8-bit result.");
        }
    }
}
