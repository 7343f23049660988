using System.Buffers;

namespace GroundingWeb.Inference.Imaging;

/// <summary>
/// Port of Pillow's <c>ImagingResample</c> with the BILINEAR (triangle) filter on 8-bit RGB, what
/// <c>Image.resize(size, BILINEAR)</c> and torchvision's antialiased resize of PIL images produce. When
/// downscaling the filter support grows with the scale, so every source pixel contributes.
/// </summary>
internal static class PillowBilinearResizer
{
    private const int Channels = 3;

    // Pillow's 8-bit path: coefficients in 22-bit fixed point, leaving room for 8-bit samples and the sum.
    private const int PrecisionBits = 32 - 8 - 2;

    public static void Resize(ReadOnlySpan<byte> source, int sourceWidth, int sourceHeight, Span<byte> destination, int width, int height)
    {
        bool horizontal = width != sourceWidth;
        bool vertical = height != sourceHeight;
        if (!horizontal && !vertical)
        {
            source.CopyTo(destination);
            return;
        }

        var xFilter = Coefficients.Compute(sourceWidth, width);
        var yFilter = Coefficients.Compute(sourceHeight, height);
        byte[]? temp = null;
        try
        {
            ReadOnlySpan<byte> verticalInput = source;
            int firstRow = 0;
            if (horizontal)
            {
                // Pillow only resamples the source rows the vertical pass will read.
                firstRow = yFilter.Bounds[0];
                int lastRow = yFilter.Bounds[(height - 1) * 2] + yFilter.Bounds[(height - 1) * 2 + 1];
                int rows = vertical ? lastRow - firstRow : height;
                if (!vertical)
                {
                    firstRow = 0;
                }

                int length = rows * width * Channels;
                Span<byte> target = vertical ? (temp = ArrayPool<byte>.Shared.Rent(length)).AsSpan(0, length) : destination;
                ResampleHorizontal(source, sourceWidth, firstRow, rows, xFilter, target, width);
                verticalInput = target;
            }

            if (vertical)
            {
                ResampleVertical(verticalInput, width, horizontal ? firstRow : 0, yFilter, destination, height);
            }
        }
        finally
        {
            if (temp is not null)
            {
                ArrayPool<byte>.Shared.Return(temp);
            }
        }
    }

    private static void ResampleHorizontal(
        ReadOnlySpan<byte> source, int sourceWidth, int firstRow, int rows, Coefficients filter, Span<byte> destination, int width)
    {
        for (int y = 0; y < rows; y++)
        {
            ReadOnlySpan<byte> input = source.Slice((y + firstRow) * sourceWidth * Channels, sourceWidth * Channels);
            Span<byte> output = destination.Slice(y * width * Channels, width * Channels);
            for (int x = 0; x < width; x++)
            {
                int min = filter.Bounds[x * 2], count = filter.Bounds[x * 2 + 1];
                ReadOnlySpan<int> k = filter.Weights.AsSpan(x * filter.KernelSize, count);
                int r = 1 << (PrecisionBits - 1), g = r, b = r;
                for (int i = 0; i < k.Length; i++)
                {
                    int p = (min + i) * Channels;
                    r += input[p] * k[i];
                    g += input[p + 1] * k[i];
                    b += input[p + 2] * k[i];
                }

                output[x * 3] = Clip8(r);
                output[x * 3 + 1] = Clip8(g);
                output[x * 3 + 2] = Clip8(b);
            }
        }
    }

    private static void ResampleVertical(
        ReadOnlySpan<byte> source, int width, int rowShift, Coefficients filter, Span<byte> destination, int height)
    {
        int stride = width * Channels;
        for (int y = 0; y < height; y++)
        {
            int min = filter.Bounds[y * 2] - rowShift, count = filter.Bounds[y * 2 + 1];
            ReadOnlySpan<int> k = filter.Weights.AsSpan(y * filter.KernelSize, count);
            Span<byte> output = destination.Slice(y * stride, stride);
            for (int i = 0; i < stride; i++)
            {
                int sum = 1 << (PrecisionBits - 1);
                for (int j = 0; j < k.Length; j++)
                {
                    sum += source[(min + j) * stride + i] * k[j];
                }

                output[i] = Clip8(sum);
            }
        }
    }

    private static byte Clip8(int value) => (byte)Math.Clamp(value >> PrecisionBits, 0, 255);

    /// <summary>Pillow's <c>precompute_coeffs</c> + <c>normalize_coeffs_8bpc</c> for one axis.</summary>
    private sealed class Coefficients
    {
        public required int KernelSize { get; init; }

        /// <summary>Per output index: first source index and tap count.</summary>
        public required int[] Bounds { get; init; }

        public required int[] Weights { get; init; }

        public static Coefficients Compute(int inSize, int outSize)
        {
            const double support = 1.0;
            double scale = (double)inSize / outSize;
            double filterScale = Math.Max(scale, 1.0);
            double scaledSupport = support * filterScale;
            int kernelSize = (int)Math.Ceiling(scaledSupport) * 2 + 1;
            var bounds = new int[outSize * 2];
            var weights = new int[outSize * kernelSize];
            Span<double> k = kernelSize <= 256 ? stackalloc double[kernelSize] : new double[kernelSize];
            for (int xx = 0; xx < outSize; xx++)
            {
                double center = (xx + 0.5) * scale;
                double invScale = 1.0 / filterScale;

                // (int) truncates toward zero like the C cast Pillow relies on.
                int min = Math.Max((int)(center - scaledSupport + 0.5), 0);
                int max = Math.Min((int)(center + scaledSupport + 0.5), inSize) - min;
                double total = 0.0;
                for (int x = 0; x < max; x++)
                {
                    double w = Triangle((x + min - center + 0.5) * invScale);
                    k[x] = w;
                    total += w;
                }

                for (int x = 0; x < max; x++)
                {
                    double normalised = total != 0.0 ? k[x] / total : k[x];
                    weights[xx * kernelSize + x] = normalised < 0
                        ? (int)(-0.5 + normalised * (1 << PrecisionBits))
                        : (int)(0.5 + normalised * (1 << PrecisionBits));
                }

                bounds[xx * 2] = min;
                bounds[xx * 2 + 1] = max;
            }

            return new Coefficients { KernelSize = kernelSize, Bounds = bounds, Weights = weights };
        }

        private static double Triangle(double x)
        {
            x = Math.Abs(x);
            return x < 1.0 ? 1.0 - x : 0.0;
        }
    }
}
