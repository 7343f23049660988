using System.Buffers;

namespace GroundingWeb.Inference.Imaging;

/// <summary>Turns an RGB image into a model's CHW float input exactly as its training pipeline did.</summary>
internal static class ImagePreprocessor
{
    private const int Channels = 3;

    /// <summary>
    /// Writes <paramref name="hwc"/> (RGB bytes) as CHW floats, plane c = <c>((float)v / Scale - Mean[c]) / Std[c]</c>
    /// in float32, in that order, so results are bit-identical to the Python reference. Bgr writes the blue plane first.
    /// </summary>
    public static void ToChw(ReadOnlySpan<byte> hwc, int width, int height, ImagePreprocessing preprocessing, Span<float> destination)
    {
        ArgumentNullException.ThrowIfNull(preprocessing);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(width);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(height);
        Validate(preprocessing);
        int planeSize = checked(width * height);
        if (hwc.Length != planeSize * Channels)
        {
            throw new ArgumentException($"Expected {planeSize * Channels} HWC bytes for {width}x{height}, got {hwc.Length}.", nameof(hwc));
        }

        if (destination.Length != planeSize * Channels)
        {
            throw new ArgumentException($"Expected a destination of {planeSize * Channels} floats for 3x{height}x{width}, got {destination.Length}.", nameof(destination));
        }

        // 768 divisions instead of one per pixel; same float32 operations, so the same bits.
        Span<float> table = stackalloc float[Channels * 256];
        for (int plane = 0; plane < Channels; plane++)
        {
            float mean = preprocessing.Mean[plane], std = preprocessing.Std[plane];
            for (int v = 0; v < 256; v++)
            {
                table[plane * 256 + v] = ((float)v / preprocessing.Scale - mean) / std;
            }
        }

        // One pass over the interleaved bytes feeds all three planes; plane p reads source channel p (RGB) or 2 - p (BGR).
        bool bgr = preprocessing.ChannelOrder == ChannelOrder.Bgr;
        ReadOnlySpan<float> lutR = table.Slice(bgr ? 512 : 0, 256);
        ReadOnlySpan<float> lutG = table.Slice(256, 256);
        ReadOnlySpan<float> lutB = table.Slice(bgr ? 0 : 512, 256);
        Span<float> planeR = destination.Slice(bgr ? 2 * planeSize : 0, planeSize);
        Span<float> planeG = destination.Slice(planeSize, planeSize);
        Span<float> planeB = destination.Slice(bgr ? 0 : 2 * planeSize, planeSize);
        for (int i = 0, p = 0; i < planeSize; i++, p += Channels)
        {
            planeR[i] = lutR[hwc[p]];
            planeG[i] = lutG[hwc[p + 1]];
            planeB[i] = lutB[hwc[p + 2]];
        }
    }

    /// <summary>Resizes <paramref name="image"/> as <paramref name="preprocessing"/> says and returns the CHW float tensor data.</summary>
    public static float[] Preprocess(RgbImage image, ImagePreprocessing preprocessing)
    {
        ArgumentNullException.ThrowIfNull(preprocessing);
        var tensor = new float[checked(preprocessing.Width * preprocessing.Height * Channels)];
        PreprocessInto(image, preprocessing, tensor);
        return tensor;
    }

    /// <summary>As <see cref="Preprocess"/>, into a caller's buffer (e.g. pooled memory handed to ONNX Runtime).</summary>
    public static void PreprocessInto(RgbImage image, ImagePreprocessing preprocessing, Span<float> destination)
    {
        ArgumentNullException.ThrowIfNull(image);
        ArgumentNullException.ThrowIfNull(preprocessing);
        Validate(preprocessing);
        int length = checked(preprocessing.Width * preprocessing.Height * Channels);
        if (image.Width == preprocessing.Width && image.Height == preprocessing.Height)
        {
            ToChw(image.Pixels, preprocessing.Width, preprocessing.Height, preprocessing, destination);
            return;
        }

        if (preprocessing.Resize == ResizeMethod.AntialiasBilinearFloat)
        {
            float[] samples = ArrayPool<float>.Shared.Rent(length);
            try
            {
                FloatAntialiasResizer.Resize(image.Pixels, image.Width, image.Height, samples.AsSpan(0, length), preprocessing.Width, preprocessing.Height);
                FloatsToChw(samples.AsSpan(0, length), preprocessing.Width * preprocessing.Height, preprocessing, destination);
            }
            finally
            {
                ArrayPool<float>.Shared.Return(samples);
            }
            return;
        }

        // The resized bytes live only until they are normalised; pooling them keeps each request off the large object heap.
        byte[] resized = ArrayPool<byte>.Shared.Rent(length);
        try
        {
            ImageResizer.ResizeInto(image, resized.AsSpan(0, length), preprocessing.Width, preprocessing.Height, preprocessing.Resize);
            ToChw(resized.AsSpan(0, length), preprocessing.Width, preprocessing.Height, preprocessing, destination);
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(resized);
        }
    }

    /// <summary>HWC float samples (0-255 scale) -> CHW planes <c>(v / Scale - Mean[c]) / Std[c]</c>, as <see cref="ToChw"/> for bytes.</summary>
    private static void FloatsToChw(ReadOnlySpan<float> hwc, int planeSize, ImagePreprocessing preprocessing, Span<float> destination)
    {
        bool bgr = preprocessing.ChannelOrder == ChannelOrder.Bgr;
        for (int plane = 0; plane < Channels; plane++)
        {
            int source = bgr ? 2 - plane : plane;
            float mean = preprocessing.Mean[plane], std = preprocessing.Std[plane], scale = preprocessing.Scale;
            var output = destination.Slice(plane * planeSize, planeSize);
            for (int i = 0; i < planeSize; i++)
            {
                output[i] = (hwc[i * Channels + source] / scale - mean) / std;
            }
        }
    }

    private static void Validate(ImagePreprocessing preprocessing)
    {
        if (preprocessing.Width <= 0 || preprocessing.Height <= 0)
        {
            throw new ArgumentException($"Preprocessing size must be positive, got {preprocessing.Width}x{preprocessing.Height}.", nameof(preprocessing));
        }

        if (preprocessing.Mean is not { Length: Channels } || preprocessing.Std is not { Length: Channels })
        {
            throw new ArgumentException("Preprocessing needs exactly 3 mean and 3 std values, one per channel.", nameof(preprocessing));
        }

        if (preprocessing.Scale == 0f || !float.IsFinite(preprocessing.Scale))
        {
            throw new ArgumentException($"Preprocessing scale must be finite and non-zero, got {preprocessing.Scale}.", nameof(preprocessing));
        }

        foreach (float std in preprocessing.Std)
        {
            if (std == 0f || !float.IsFinite(std))
            {
                throw new ArgumentException($"Preprocessing std values must be finite and non-zero, got {std}.", nameof(preprocessing));
            }
        }
    }
}
