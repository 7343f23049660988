using SixLabors.ImageSharp;
using SixLabors.ImageSharp.Formats;
using SixLabors.ImageSharp.Formats.Gif;
using SixLabors.ImageSharp.Formats.Jpeg;
using SixLabors.ImageSharp.Formats.Tiff;
using SixLabors.ImageSharp.Metadata;
using SixLabors.ImageSharp.PixelFormats;
using SixLabors.ImageSharp.Processing;

namespace GroundingWeb.Inference.Imaging;

/// <summary>Turns untrusted encoded bytes (PNG, JPEG, GIF, WebP, BMP, TIFF, ...) into an upright 8-bit RGB image.</summary>
public static class ImageDecoder
{
    private const string SupportedFormats = "PNG, JPEG, GIF, WebP, BMP or TIFF";

    // Multi-frame formats decode only their first frame: the model sees one picture, and an
    // animation with many frames would otherwise cost memory proportional to its length.
    private static readonly Configuration DecodeConfiguration = CreateConfiguration();

    /// <summary>
    /// Decodes <paramref name="encoded"/> after checking its size and its header against <paramref name="limits"/>.
    /// EXIF orientation is applied; alpha is dropped (like PIL <c>convert("RGB")</c>); only the first frame of an animation is kept.
    /// </summary>
    /// <exception cref="ImageDecodeException">The bytes are too large, not a supported image, corrupt, or exceed the limits.</exception>
    public static RgbImage Decode(ReadOnlySpan<byte> encoded, ImageLimits limits)
    {
        ArgumentNullException.ThrowIfNull(limits);
        if (encoded.IsEmpty)
        {
            throw new ImageDecodeException($"The image is empty (0 bytes). Upload a {SupportedFormats} file.");
        }

        if (encoded.Length > limits.MaxBytes)
        {
            throw new ImageDecodeException(
                $"The image is {encoded.Length:N0} bytes; the limit is {limits.MaxBytes:N0}. Upload a smaller or more compressed image.", ImageProblem.TooLarge);
        }

        unsafe
        {
            // Pinning lets ImageSharp 2.x (stream-only Identify) read the caller's buffer without a copy.
            fixed (byte* start = encoded)
            {
                using var stream = new UnmanagedMemoryStream(start, encoded.Length);
                return DecodeStream(stream, encoded, limits);
            }
        }
    }

    private static RgbImage DecodeStream(UnmanagedMemoryStream stream, ReadOnlySpan<byte> encoded, ImageLimits limits)
    {
        try
        {
            var info = Image.Identify(DecodeConfiguration, stream, out IImageFormat? format);
            if (info is null || format is null)
            {
                throw new ImageDecodeException($"The file is not an image format this service reads. Upload a {SupportedFormats} file.", ImageProblem.Unsupported);
            }

            CheckDimensions(info.Width, info.Height, format.Name, limits);
            if (format is JpegFormat && JpegTruncation.EndsEarly(encoded))
            {
                throw new ImageDecodeException(
                    "The JPEG is truncated: it ends before its end-of-image marker (an interrupted upload or copy). Upload the complete file.");
            }
            if (format is SixLabors.ImageSharp.Formats.Png.PngFormat && PngTruncation.EndsEarly(encoded))
            {
                throw new ImageDecodeException(
                    "The PNG is truncated: it ends before its IEND chunk (an interrupted upload or copy). Upload the complete file.");
            }
            var cut = format switch
            {
                SixLabors.ImageSharp.Formats.Bmp.BmpFormat => ContainerTruncation.BmpEndsEarly(encoded),
                SixLabors.ImageSharp.Formats.Gif.GifFormat => ContainerTruncation.GifEndsEarly(encoded),
                SixLabors.ImageSharp.Formats.Webp.WebpFormat => ContainerTruncation.WebpEndsEarly(encoded),
                _ => false,
            };
            if (cut)
            {
                throw new ImageDecodeException(
                    $"The {format.Name} file is truncated: it ends before the data its header announces (an interrupted upload or copy). Upload the complete file.");
            }

            stream.Position = 0;
            using var image = Image.Load<Rgb24>(DecodeConfiguration, stream);
            image.Mutate(context => context.AutoOrient());

            // Orientation only swaps the sides, but the decoder is the authority on the real size.
            CheckDimensions(image.Width, image.Height, format.Name, limits);
            var pixels = new byte[checked(image.Width * image.Height * 3)];
            image.CopyPixelDataTo(pixels);
            return new RgbImage { Width = image.Width, Height = image.Height, Pixels = pixels };
        }
        catch (ImageDecodeException)
        {
            throw;
        }
        catch (UnknownImageFormatException ex)
        {
            throw new ImageDecodeException($"The file is not an image format this service reads. Upload a {SupportedFormats} file.", ex, ImageProblem.Unsupported);
        }
        catch (NotSupportedException ex)
        {
            throw new ImageDecodeException(
                $"The image uses a feature this service cannot decode ({ex.Message}). Re-save it as a plain PNG or JPEG and upload again.", ex, ImageProblem.Unsupported);
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            // Decoders fed hostile bytes fail in many ways (InvalidImageContentException, index or
            // argument errors, end of stream); for the caller every one means the same thing.
            throw new ImageDecodeException(
                $"The image could not be decoded: it is corrupt or truncated ({ex.Message}). Re-save it as a PNG or JPEG and upload again.", ex);
        }
    }

    private static void CheckDimensions(int width, int height, string formatName, ImageLimits limits)
    {
        if (width <= 0 || height <= 0)
        {
            throw new ImageDecodeException($"The {formatName} header declares an empty image ({width}x{height}). Upload a valid image.");
        }

        if (width > limits.MaxSide || height > limits.MaxSide)
        {
            throw new ImageDecodeException(
                $"The image is {width}x{height} pixels; no side may exceed {limits.MaxSide:N0}. Downscale it and upload again.", ImageProblem.TooLarge);
        }

        if ((long)width * height > limits.MaxPixels)
        {
            throw new ImageDecodeException(
                $"The image is {width}x{height} = {(long)width * height:N0} pixels; the limit is {limits.MaxPixels:N0}. Downscale it and upload again.", ImageProblem.TooLarge);
        }
    }

    private static Configuration CreateConfiguration()
    {
        var configuration = Configuration.Default.Clone();
        configuration.ImageFormatsManager.SetDecoder(GifFormat.Instance, new GifDecoder { DecodingMode = FrameDecodingMode.First });
        configuration.ImageFormatsManager.SetDecoder(TiffFormat.Instance, new TiffDecoder { DecodingMode = FrameDecodingMode.First });
        return configuration;
    }
}
