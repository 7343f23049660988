using System.Buffers;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace GroundingWeb.Inference.Imaging;

/// <summary>
/// Byte-exact port of OpenCV's <c>cv::resize(INTER_LINEAR)</c> for 3-channel uint8 images, the resize
/// albumentations applies at training time. The steps and their rounding are documented in Fixtures/README.md.
/// </summary>
internal static class Cv2BilinearResizer
{
    private const int Channels = 3;
    private const int CoefScale = 1 << 11;

    // OpenCV's vertical pass runs as 128-bit SIMD over groups of 8 output bytes; the last
    // (width * 3) % 8 bytes of a row fall back to a scalar cast that rounds differently.
    private const int SimdGroup = 8;

    public static void Resize(ReadOnlySpan<byte> source, int sourceWidth, int sourceHeight, Span<byte> destination, int width, int height)
    {
        if (sourceWidth == width && sourceHeight == height)
        {
            source.CopyTo(destination);
            return;
        }

        // cv::resize silently switches INTER_LINEAR to INTER_AREA for an exact 2x downscale.
        if (sourceWidth == 2 * width && sourceHeight == 2 * height)
        {
            HalveArea(source, sourceWidth, destination, width, height);
            return;
        }

        int rowLength = width * Channels;
        int[] xOffsets = ArrayPool<int>.Shared.Rent(width * 2);
        int[] xWeights = ArrayPool<int>.Shared.Rent(width * 2);
        int[] yRows = ArrayPool<int>.Shared.Rent(height * 2);
        int[] yWeights = ArrayPool<int>.Shared.Rent(height * 2);
        int[] rowA = ArrayPool<int>.Shared.Rent(rowLength);
        int[] rowB = ArrayPool<int>.Shared.Rent(rowLength);
        try
        {
            BuildXTable(sourceWidth, width, xOffsets, xWeights);
            BuildYTable(sourceHeight, height, yRows, yWeights);

            // Consecutive output rows mostly share source rows; keep the last two horizontal passes.
            var cache = new RowCache(rowA.AsSpan(0, rowLength), rowB.AsSpan(0, rowLength));
            int sourceStride = sourceWidth * Channels;
            for (int dy = 0; dy < height; dy++)
            {
                int row0 = yRows[dy * 2], row1 = yRows[dy * 2 + 1];
                Span<int> h0 = cache.Get(row0, row1, source, sourceStride, xOffsets, xWeights);
                Span<int> h1 = cache.Get(row1, row0, source, sourceStride, xOffsets, xWeights);
                VerticalPass(h0, h1, yWeights[dy * 2], yWeights[dy * 2 + 1], destination.Slice(dy * rowLength, rowLength));
            }
        }
        finally
        {
            ArrayPool<int>.Shared.Return(xOffsets);
            ArrayPool<int>.Shared.Return(xWeights);
            ArrayPool<int>.Shared.Return(yRows);
            ArrayPool<int>.Shared.Return(yWeights);
            ArrayPool<int>.Shared.Return(rowA);
            ArrayPool<int>.Shared.Return(rowB);
        }
    }

    private ref struct RowCache(Span<int> a, Span<int> b)
    {
        private readonly Span<int> a = a;
        private readonly Span<int> b = b;
        private int rowInA = -1;
        private int rowInB = -1;

        /// <summary>The horizontal pass of source row <paramref name="row"/>, never evicting <paramref name="keep"/>.</summary>
        public Span<int> Get(int row, int keep, ReadOnlySpan<byte> source, int stride, int[] xOffsets, int[] xWeights)
        {
            if (rowInA == row)
            {
                return a;
            }

            if (rowInB == row)
            {
                return b;
            }

            bool useA = rowInA != keep;
            Span<int> buffer = useA ? a : b;
            HorizontalPass(source.Slice(row * stride, stride), xOffsets, xWeights, buffer);
            if (useA)
            {
                rowInA = row;
            }
            else
            {
                rowInB = row;
            }

            return buffer;
        }
    }

    /// <summary>Per output column: byte offsets of the two source pixels and their 11-bit weights.</summary>
    private static void BuildXTable(int sourceSize, int size, Span<int> offsets, Span<int> weights)
    {
        double scale = 1.0 / ((double)size / sourceSize);
        for (int d = 0; d < size; d++)
        {
            float f = (float)((d + 0.5) * scale - 0.5);
            int s = (int)MathF.Floor(f);
            f -= s;
            if (s < 0)
            {
                f = 0;
                s = 0;
            }

            // Past the last pixel OpenCV uses one tap (weight 2048); pointing the second tap at the
            // same pixel with weight 0 gives the same sum without a branch in the inner loop.
            int s1 = s + 1;
            if (s >= sourceSize - 1)
            {
                f = 0;
                s = sourceSize - 1;
                s1 = s;
            }

            offsets[d * 2] = s * Channels;
            offsets[d * 2 + 1] = s1 * Channels;
            weights[d * 2] = RoundWeight(1f - f);
            weights[d * 2 + 1] = RoundWeight(f);
        }
    }

    /// <summary>Per output row: the two clamped source rows and their weights (not reset at the border, unlike x).</summary>
    private static void BuildYTable(int sourceSize, int size, Span<int> rows, Span<int> weights)
    {
        double scale = 1.0 / ((double)size / sourceSize);
        for (int d = 0; d < size; d++)
        {
            float f = (float)((d + 0.5) * scale - 0.5);
            int s = (int)MathF.Floor(f);
            f -= s;
            rows[d * 2] = Math.Clamp(s, 0, sourceSize - 1);
            rows[d * 2 + 1] = Math.Clamp(s + 1, 0, sourceSize - 1);
            weights[d * 2] = RoundWeight(1f - f);
            weights[d * 2 + 1] = RoundWeight(f);
        }
    }

    // saturate_cast<short>(float) rounds half to even, as MathF.Round does by default.
    private static int RoundWeight(float weight) => (int)MathF.Round(weight * CoefScale);

    // The two passes run for every request; ref arithmetic keeps the JIT from bounds-checking each tap.
    // Offsets come from BuildXTable, so every read stays inside sourceRow.
    private static void HorizontalPass(ReadOnlySpan<byte> sourceRow, ReadOnlySpan<int> offsets, ReadOnlySpan<int> weights, Span<int> destination)
    {
        int width = destination.Length / Channels;
        ref byte src = ref MemoryMarshal.GetReference(sourceRow);
        ref int ofs = ref MemoryMarshal.GetReference(offsets);
        ref int wts = ref MemoryMarshal.GetReference(weights);
        ref int dst = ref MemoryMarshal.GetReference(destination);
        for (int d = 0; d < width; d++)
        {
            ref byte p0 = ref Unsafe.Add(ref src, Unsafe.Add(ref ofs, 2 * d));
            ref byte p1 = ref Unsafe.Add(ref src, Unsafe.Add(ref ofs, 2 * d + 1));
            int w0 = Unsafe.Add(ref wts, 2 * d), w1 = Unsafe.Add(ref wts, 2 * d + 1);
            ref int o = ref Unsafe.Add(ref dst, d * Channels);
            o = p0 * w0 + p1 * w1;
            Unsafe.Add(ref o, 1) = Unsafe.Add(ref p0, 1) * w0 + Unsafe.Add(ref p1, 1) * w1;
            Unsafe.Add(ref o, 2) = Unsafe.Add(ref p0, 2) * w0 + Unsafe.Add(ref p1, 2) * w1;
        }
    }

    private static void VerticalPass(ReadOnlySpan<int> row0, ReadOnlySpan<int> row1, int b0, int b1, Span<byte> destination)
    {
        int length = destination.Length;
        int simdEnd = length & ~(SimdGroup - 1);
        ref int h0 = ref MemoryMarshal.GetReference(row0[..length]);
        ref int h1 = ref MemoryMarshal.GetReference(row1[..length]);
        ref byte dst = ref MemoryMarshal.GetReference(destination);
        int i = 0;
        if (Vector128.IsHardwareAccelerated)
        {
            // Same integer operations, 16 outputs at a time.
            var w0 = Vector128.Create(b0);
            var w1 = Vector128.Create(b1);
            for (; i <= simdEnd - 16; i += 16)
            {
                var lo = Vector128.Narrow(VerticalLanes(ref h0, ref h1, i, w0, w1), VerticalLanes(ref h0, ref h1, i + 4, w0, w1));
                var hi = Vector128.Narrow(VerticalLanes(ref h0, ref h1, i + 8, w0, w1), VerticalLanes(ref h0, ref h1, i + 12, w0, w1));
                Vector128.Narrow(lo, hi).StoreUnsafe(ref dst, (nuint)i);
            }
        }

        for (; i < simdEnd; i++)
        {
            // OpenCV's SIMD path: pack to int16 after >> 4, multiply-high (>> 16), then round >> 2.
            int value = ((((Unsafe.Add(ref h0, i) >> 4) * b0) >> 16) + (((Unsafe.Add(ref h1, i) >> 4) * b1) >> 16) + 2) >> 2;
            Unsafe.Add(ref dst, i) = (byte)Math.Min(value, 255);
        }

        for (i = simdEnd; i < length; i++)
        {
            int value = (row0[i] * b0 + row1[i] * b1 + (1 << 21)) >> 22;
            destination[i] = (byte)Math.Clamp(value, 0, 255);
        }
    }

    private static Vector128<uint> VerticalLanes(ref int h0, ref int h1, int i, Vector128<int> b0, Vector128<int> b1)
    {
        var s0 = Vector128.ShiftRightArithmetic(Vector128.LoadUnsafe(ref h0, (nuint)i), 4) * b0;
        var s1 = Vector128.ShiftRightArithmetic(Vector128.LoadUnsafe(ref h1, (nuint)i), 4) * b1;
        var sum = Vector128.ShiftRightArithmetic(s0, 16) + Vector128.ShiftRightArithmetic(s1, 16) + Vector128.Create(2);
        return Vector128.Min(Vector128.ShiftRightArithmetic(sum, 2), Vector128.Create(255)).AsUInt32();
    }

    private static void HalveArea(ReadOnlySpan<byte> source, int sourceWidth, Span<byte> destination, int width, int height)
    {
        int sourceStride = sourceWidth * Channels;
        int rowLength = width * Channels;
        for (int dy = 0; dy < height; dy++)
        {
            ReadOnlySpan<byte> top = source.Slice(2 * dy * sourceStride, sourceStride);
            ReadOnlySpan<byte> bottom = source.Slice((2 * dy + 1) * sourceStride, sourceStride);
            Span<byte> output = destination.Slice(dy * rowLength, rowLength);
            for (int dx = 0; dx < width; dx++)
            {
                int s = dx * 2 * Channels;
                int o = dx * Channels;
                for (int c = 0; c < Channels; c++)
                {
                    output[o + c] = (byte)((top[s + c] + top[s + Channels + c] + bottom[s + c] + bottom[s + Channels + c] + 2) >> 2);
                }
            }
        }
    }
}
