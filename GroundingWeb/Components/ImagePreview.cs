using GroundingWeb.Inference.Imaging;
using SixLabors.ImageSharp;
using SixLabors.ImageSharp.Formats.Jpeg;
using SixLabors.ImageSharp.PixelFormats;
using SixLabors.ImageSharp.Processing;

namespace GroundingWeb.Components;

/// <summary>
/// What the browser shows of an uploaded image. Small files in web formats go as they are; large or
/// exotic ones as a JPEG of at most <see cref="MaxSide"/> pixels, so a 40-megapixel upload does not
/// travel back over the circuit. Boxes are drawn in the original's pixels either way.
/// </summary>
public static class ImagePreview
{
    public const int MaxSide = 1600;
    private const int MaxPassThroughBytes = 2 * 1024 * 1024;
    private static readonly string[] WebMimeTypes = ["image/jpeg", "image/png", "image/gif", "image/webp", "image/bmp"];

    public static string DataUrl(byte[] original, RgbImage decoded)
    {
        var mime = Image.DetectFormat(original)?.DefaultMimeType;
        if (original.Length <= MaxPassThroughBytes && mime is not null && WebMimeTypes.Contains(mime) && !NeedsOrientation(original))
        {
            return $"data:{mime};base64,{Convert.ToBase64String(original)}";
        }
        return $"data:image/jpeg;base64,{Convert.ToBase64String(Jpeg(decoded, MaxSide))}";
    }

    /// <summary>The oriented pixels as a JPEG, scaled down to at most <paramref name="maxSide"/> pixels.</summary>
    public static byte[] Jpeg(RgbImage decoded, int maxSide)
    {
        using var image = Image.LoadPixelData<Rgb24>(decoded.Pixels, decoded.Width, decoded.Height);
        var scale = Math.Min(1.0, (double)maxSide / Math.Max(decoded.Width, decoded.Height));
        if (scale < 1)
        {
            image.Mutate(x => x.Resize((int)Math.Round(decoded.Width * scale), (int)Math.Round(decoded.Height * scale)));
        }
        using var output = new MemoryStream();
        image.SaveAsJpeg(output, new JpegEncoder { Quality = 88 });
        return output.ToArray();
    }

    /// <summary>The oriented pixels as a PNG: lossless, and nothing of the uploaded file's own bytes.</summary>
    public static byte[] Png(RgbImage decoded)
    {
        using var image = Image.LoadPixelData<Rgb24>(decoded.Pixels, decoded.Width, decoded.Height);
        using var output = new MemoryStream();
        image.SaveAsPng(output);
        return output.ToArray();
    }

    // Browsers apply EXIF orientation too, but re-encoding the already oriented pixels removes any doubt.
    public static bool NeedsOrientation(byte[] original)
    {
        var info = Image.Identify(original);
        var orientation = info?.Metadata.ExifProfile?.GetValue(SixLabors.ImageSharp.Metadata.Profiles.Exif.ExifTag.Orientation);
        return orientation is not null && orientation.Value != 1;
    }
}
