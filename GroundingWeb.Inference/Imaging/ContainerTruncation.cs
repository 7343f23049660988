using System.Buffers.Binary;

namespace GroundingWeb.Inference.Imaging;

/// <summary>
/// Like <see cref="PngTruncation"/> for the other formats ImageSharp decodes without complaint when
/// they stop early (it fills what is missing): a BMP shorter than its header's file size or pixel
/// array, a WebP shorter than its RIFF size, a GIF that ends inside a block. Each check reads only
/// the container's own length fields.
/// </summary>
internal static class ContainerTruncation
{
    /// <summary>BMP: the file header's size (when set) and, for uncompressed pixels, offset + stride x rows must fit.</summary>
    public static bool BmpEndsEarly(ReadOnlySpan<byte> data)
    {
        // The file header's own size field is not trusted: some writers get it wrong.
        if (data.Length < 18)
        {
            return true;
        }
        var offset = BinaryPrimitives.ReadUInt32LittleEndian(data[10..]);
        var headerSize = BinaryPrimitives.ReadUInt32LittleEndian(data[14..]);
        if (headerSize < 40 || data.Length < 34)
        {
            return offset > data.Length; // an OS/2 core header: only the pixel offset is known
        }
        long width = Math.Abs(BinaryPrimitives.ReadInt32LittleEndian(data[18..]));
        long height = Math.Abs((long)BinaryPrimitives.ReadInt32LittleEndian(data[22..]));
        var bitsPerPixel = BinaryPrimitives.ReadUInt16LittleEndian(data[28..]);
        var compression = BinaryPrimitives.ReadUInt32LittleEndian(data[30..]);
        const uint Uncompressed = 0, BitFields = 3;
        if (compression is not (Uncompressed or BitFields) || height == 0)
        {
            return offset > data.Length;
        }
        // Every row padded to 4 bytes except, for lenient writers, the last.
        var stride = (width * bitsPerPixel + 31) / 32 * 4;
        return offset + stride * (height - 1) + (width * bitsPerPixel + 7) / 8 > data.Length;
    }

    /// <summary>WebP: "RIFF", the size of what follows, "WEBP": the file must hold all of it.</summary>
    public static bool WebpEndsEarly(ReadOnlySpan<byte> data) =>
        data.Length < 12 || 8L + BinaryPrimitives.ReadUInt32LittleEndian(data[4..]) > data.Length;

    /// <summary>
    /// GIF: walks the blocks after the screen descriptor (extensions, images with their colour tables
    /// and LZW sub-blocks) and reports a file whose data stops inside one. A file that stops between
    /// blocks without the trailer byte is accepted, as browsers accept it.
    /// </summary>
    public static bool GifEndsEarly(ReadOnlySpan<byte> data)
    {
        if (data.Length < 13)
        {
            return true;
        }
        long at = 13 + ColorTableLength(data[10]);
        while (at < data.Length)
        {
            switch (data[(int)at])
            {
                case 0x3B: // trailer
                    return false;
                case 0x21: // extension: introducer, label, sub-blocks
                    at = SkipSubBlocks(data, at + 2);
                    break;
                case 0x2C: // image descriptor, optional local colour table, LZW code size, sub-blocks
                    if (at + 10 > data.Length)
                    {
                        return true;
                    }
                    at = SkipSubBlocks(data, at + 10 + ColorTableLength(data[(int)at + 9]) + 1);
                    break;
                default:
                    return false; // not a block GIF defines: left to the decoder to judge
            }
            if (at < 0)
            {
                // Only the last sub-block's terminator missing before the trailer: browsers accept that.
                return data[^1] != 0x3B;
            }
        }
        return at > data.Length;
    }

    private static long ColorTableLength(byte packed) => (packed & 0x80) != 0 ? 3L << ((packed & 0x07) + 1) : 0;

    /// <summary>The position after the terminating empty sub-block, or -1 when the data ends first.</summary>
    private static long SkipSubBlocks(ReadOnlySpan<byte> data, long at)
    {
        while (true)
        {
            if (at >= data.Length)
            {
                return -1;
            }
            var size = data[(int)at];
            at += 1 + size;
            if (size == 0)
            {
                return at;
            }
        }
    }
}
