using System.Buffers.Binary;

namespace GroundingWeb.Inference.Imaging;

/// <summary>
/// ImageSharp decodes a PNG whose data stops early (an interrupted upload) and paints the missing rows
/// black without an error. This walks the chunk structure: every chunk must be complete and the file
/// must reach its IEND chunk, as libpng and PIL require.
/// </summary>
internal static class PngTruncation
{
    private const int SignatureLength = 8;
    private const int ChunkOverhead = 12; // length, type, CRC

    /// <summary>True when <paramref name="data"/> (a PNG starting with its signature) ends before a complete IEND chunk.</summary>
    public static bool EndsEarly(ReadOnlySpan<byte> data)
    {
        long i = SignatureLength;
        while (i + ChunkOverhead <= data.Length)
        {
            var length = BinaryPrimitives.ReadUInt32BigEndian(data[(int)i..]);
            var type = data.Slice((int)i + 4, 4);
            var end = i + ChunkOverhead + length;
            if (end > data.Length)
            {
                return true;
            }
            if (type.SequenceEqual("IEND"u8))
            {
                return false;
            }
            i = end;
        }
        return true;
    }
}
