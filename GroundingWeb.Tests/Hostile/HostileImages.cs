using System.Text;
using SixLabors.ImageSharp;
using SixLabors.ImageSharp.PixelFormats;

namespace GroundingWeb.Tests.Hostile;

/// <summary>
/// The malformed uploads of the hostile run, made here from one small noise image: every format cut
/// short at 10, 50 and 99 %, bytes flipped inside the pixel data, decompression bombs (a header that
/// declares 50,000 x 50,000), and files that are no image at all. Each has the status it must get.
/// </summary>
internal static class HostileImages
{
    public sealed record Case(string Name, byte[] Bytes, int Status);

    private static byte[] Encode(Action<Image<Rgb24>, Stream> save)
    {
        using var image = new Image<Rgb24>(64, 48);
        var random = new Random(5);
        image.ProcessPixelRows(rows =>
        {
            for (var y = 0; y < rows.Height; y++)
            {
                foreach (ref var pixel in rows.GetRowSpan(y))
                {
                    pixel = new Rgb24((byte)random.Next(256), (byte)random.Next(256), (byte)random.Next(256));
                }
            }
        });
        using var stream = new MemoryStream();
        save(image, stream);
        return stream.ToArray();
    }

    public static readonly Dictionary<string, byte[]> Valid = new()
    {
        ["png"] = Encode((i, s) => i.SaveAsPng(s)),
        ["jpeg"] = Encode((i, s) => i.SaveAsJpeg(s)),
        ["gif"] = Encode((i, s) => i.SaveAsGif(s)),
        ["bmp"] = Encode((i, s) => i.SaveAsBmp(s)),
        ["webp"] = Encode((i, s) => i.SaveAsWebp(s)),
        ["tiff"] = Encode((i, s) => i.SaveAsTiff(s)),
    };

    public static IEnumerable<Case> All()
    {
        foreach (var (format, bytes) in Valid)
        {
            foreach (var percent in new[] { 10, 50, 99 })
            {
                yield return new($"{format} cut at {percent} %", bytes[..(bytes.Length * percent / 100)], 400);
            }
        }
        yield return new("png with its pixel data overwritten", Flipped(Valid["png"]), 400);
        // Three bytes are too few to recognise any format: "not an image", like any other scrap.
        yield return new("jpeg with only its start marker", [0xFF, 0xD8, 0xFF], 415);
        yield return new("png bomb (50,000 x 50,000 header)", Imaging.TestImages.PngHeaderOnly(50_000, 50_000), 413);
        yield return new("gif bomb (65,535 x 65,535 header)", GifHeader(65_535, 65_535), 413);
        yield return new("png declaring 0 x 0", Imaging.TestImages.PngHeaderOnly(0, 0), 400);
        yield return new("empty file", [], 400);
        yield return new("one byte", [0x89], 415);
        yield return new("random bytes", RandomBytes(4096), 415);
        yield return new("plain text", "the cat on the sofa"u8.ToArray(), 415);
        yield return new("html page", "<!doctype html><html><script>alert(1)</script></html>"u8.ToArray(), 415);
        yield return new("svg image", "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"10\" height=\"10\"><script>alert(1)</script></svg>"u8.ToArray(), 415);
        yield return new("pdf header", "%PDF-1.7\n%\xE2\xE3\xCF\xD3\n"u8.ToArray(), 415);
        yield return new("zip header", [0x50, 0x4B, 0x03, 0x04, 0x14, 0x00, 0x00, 0x00], 415);
        yield return new("elf executable header", [0x7F, 0x45, 0x4C, 0x46, 0x02, 0x01, 0x01, 0x00], 415);
    }

    private static byte[] Flipped(byte[] png)
    {
        var copy = png.ToArray();
        // Inside the IDAT chunk, after the header chunks: the CRC and zlib stream no longer agree.
        for (var i = copy.Length / 2; i < copy.Length / 2 + 64; i++)
        {
            copy[i] ^= 0x5A;
        }
        return copy;
    }

    private static byte[] GifHeader(int width, int height)
    {
        var header = new List<byte>(Encoding.ASCII.GetBytes("GIF89a"));
        header.AddRange(BitConverter.GetBytes((ushort)width));
        header.AddRange(BitConverter.GetBytes((ushort)height));
        header.AddRange([0x00, 0x00, 0x00, 0x2C, 0, 0, 0, 0]);
        header.AddRange(BitConverter.GetBytes((ushort)width));
        header.AddRange(BitConverter.GetBytes((ushort)height));
        header.AddRange([0x00, 0x08, 0x02, 0x4C, 0x01, 0x00, 0x3B]);
        return [.. header];
    }

    private static byte[] RandomBytes(int count)
    {
        var bytes = new byte[count];
        new Random(11).NextBytes(bytes);
        bytes[0] = 0x00; // not accidentally a format's magic number
        return bytes;
    }
}
