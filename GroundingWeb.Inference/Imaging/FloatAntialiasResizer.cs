using System.Buffers;

namespace GroundingWeb.Inference.Imaging;

/// <summary>
/// Antialiased bilinear resize on float samples, as PyTorch's <c>_upsample_bilinear2d_aa</c> does it
/// (what torchvision's <c>resize(tensor, antialias=True)</c> and Hugging Face's DINOv3 processor run
/// on the rescaled float image): Pillow's triangle filter, widened by the scale when downscaling,
/// weights normalised per output sample, width first then height, and no rounding to 8 bits between.
/// Output is HWC RGB floats on the 0-255 scale of the input (rescaling commutes with the resize).
/// </summary>
internal static class FloatAntialiasResizer
{
    private const int Channels = 3;

    public static void Resize(ReadOnlySpan<byte> source, int sourceWidth, int sourceHeight, Span<float> destination, int width, int height)
    {
        var columns = Filter.Compute(sourceWidth, width);
        var rows = Filter.Compute(sourceHeight, height);
        int tempLength = sourceHeight * width * Channels;
        var temp = ArrayPool<float>.Shared.Rent(tempLength);
        try
        {
            var horizontal = temp.AsSpan(0, tempLength);
            for (int y = 0; y < sourceHeight; y++)
            {
                var input = source.Slice(y * sourceWidth * Channels, sourceWidth * Channels);
                var output = horizontal.Slice(y * width * Channels, width * Channels);
                for (int x = 0; x < width; x++)
                {
                    int min = columns.Min[x];
                    var k = columns.Weights(x);
                    float r = 0, g = 0, b = 0;
                    for (int i = 0; i < k.Length; i++)
                    {
                        int p = (min + i) * Channels;
                        r += input[p] * k[i];
                        g += input[p + 1] * k[i];
                        b += input[p + 2] * k[i];
                    }
                    output[x * Channels] = r;
                    output[x * Channels + 1] = g;
                    output[x * Channels + 2] = b;
                }
            }
            int stride = width * Channels;
            for (int y = 0; y < height; y++)
            {
                int min = rows.Min[y];
                var k = rows.Weights(y);
                var output = destination.Slice(y * stride, stride);
                output.Clear();
                for (int j = 0; j < k.Length; j++)
                {
                    var row = horizontal.Slice((min + j) * stride, stride);
                    float w = k[j];
                    for (int i = 0; i < stride; i++)
                    {
                        output[i] += row[i] * w;
                    }
                }
            }
        }
        finally
        {
            ArrayPool<float>.Shared.Return(temp);
        }
    }

    /// <summary>PyTorch's <c>_compute_indices_weights_aa</c> for one axis (bilinear: support 1, scaled when downscaling).</summary>
    private sealed class Filter
    {
        private float[] _weights = [];
        private int _kernel;

        public int[] Min { get; private init; } = [];
        private int[] Count { get; init; } = [];

        public ReadOnlySpan<float> Weights(int index) => _weights.AsSpan(index * _kernel, Count[index]);

        public static Filter Compute(int inSize, int outSize)
        {
            // float arithmetic throughout, as PyTorch's kernel does for float tensors (scalar_t = float).
            float scale = (float)inSize / outSize;
            float support = scale >= 1f ? scale : 1f;
            float invScale = scale >= 1f ? 1f / scale : 1f;
            int kernel = (int)Math.Ceiling(support) * 2 + 1;
            var filter = new Filter { Min = new int[outSize], Count = new int[outSize], _weights = new float[outSize * kernel], _kernel = kernel };
            for (int i = 0; i < outSize; i++)
            {
                float center = scale * (i + 0.5f);
                int min = Math.Max((int)(center - support + 0.5f), 0);
                int count = Math.Min((int)(center + support + 0.5f), inSize) - min;
                var w = filter._weights.AsSpan(i * kernel, count);
                float total = 0;
                for (int j = 0; j < count; j++)
                {
                    float x = MathF.Abs((j + min - center + 0.5f) * invScale);
                    w[j] = x < 1f ? 1f - x : 0f;
                    total += w[j];
                }
                if (total != 0)
                {
                    for (int j = 0; j < count; j++)
                    {
                        w[j] /= total;
                    }
                }
                filter.Min[i] = min;
                filter.Count[i] = count;
            }
            return filter;
        }
    }
}
