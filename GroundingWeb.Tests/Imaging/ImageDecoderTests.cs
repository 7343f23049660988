using GroundingWeb.Inference.Imaging;
using SixLabors.ImageSharp;
using SixLabors.ImageSharp.Formats.Gif;
using SixLabors.ImageSharp.Formats.Jpeg;
using SixLabors.ImageSharp.Formats.Png;
using SixLabors.ImageSharp.Metadata.Profiles.Exif;
using SixLabors.ImageSharp.PixelFormats;

namespace GroundingWeb.Tests.Imaging;

public class ImageDecoderTests
{
    private static readonly ImageLimits Limits = new();

    public static TheoryData<string> FixtureImages => ResizeFixture.ImageNames();

    [Theory]
    [MemberData(nameof(FixtureImages))]
    public void DecodesFixturePngToTheReferenceRgbBytes(string name)
    {
        var entry = ResizeFixture.Image(name);

        var image = ImageDecoder.Decode(ResizeFixture.ReadFile(entry.GetProperty("file").GetString()!), Limits);

        Assert.Equal(entry.GetProperty("width").GetInt32(), image.Width);
        Assert.Equal(entry.GetProperty("height").GetInt32(), image.Height);
        Assert.Equal(entry.GetProperty("input_sha256_rgb_hwc").GetString(), ResizeFixture.Sha256(image.Pixels));
    }

    [Fact]
    public void RejectsMoreBytesThanTheLimitBeforeLookingAtThem()
    {
        byte[] png = Encode(new Image<Rgb24>(8, 8), new PngEncoder());

        var error = Assert.Throws<ImageDecodeException>(() => ImageDecoder.Decode(png, Limits with { MaxBytes = png.Length - 1 }));

        Assert.Contains("limit", error.Message);
    }

    [Fact]
    public void RejectsAHeaderClaimingTooManyPixelsWithoutAllocatingThem()
    {
        byte[] bomb = TestImages.PngHeaderOnly(50_000, 50_000);
        long before = GC.GetAllocatedBytesForCurrentThread();

        var error = Assert.Throws<ImageDecodeException>(() => ImageDecoder.Decode(bomb, Limits with { MaxSide = 100_000 }));

        long allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        Assert.Contains("2,500,000,000 pixels", error.Message);
        Assert.True(allocated < 4 * 1024 * 1024, $"allocated {allocated:N0} bytes");
    }

    [Theory]
    [InlineData(20_000, 10)]
    [InlineData(10, 20_000)]
    public void RejectsASideLongerThanTheLimit(int width, int height)
    {
        var error = Assert.Throws<ImageDecodeException>(() => ImageDecoder.Decode(TestImages.PngHeaderOnly(width, height), Limits));

        Assert.Contains("16,384", error.Message);
    }

    public static TheoryData<string, byte[]> BadInputs()
    {
        byte[] png = Encode(NoiseImage(64, 64), new PngEncoder());
        byte[] jpeg = Encode(NoiseImage(64, 64), new JpegEncoder());
        var random = new byte[4096];
        new Random(42).NextBytes(random);
        byte[] corruptPng = (byte[])png.Clone();
        corruptPng.AsSpan(40, 64).Fill(0xA5);
        return new TheoryData<string, byte[]>
        {
            { "empty", [] },
            { "random bytes", random },
            { "text", "this is not an image"u8.ToArray() },
            { "png signature only", png[..8] },
            { "png cut inside IHDR", png[..20] },
            { "png cut inside IDAT", png[..(png.Length / 2)] },
            { "png with overwritten data", corruptPng },
            { "jpeg markers only", jpeg[..4] },
            { "jpeg cut inside the scan", jpeg[..(jpeg.Length / 2)] },
            { "jpeg without its end marker", jpeg[..^2] },
        };
    }

    [Theory]
    [MemberData(nameof(BadInputs))]
    public void BadBytesRaiseOnlyImageDecodeException(string description, byte[] data)
    {
        var error = Assert.Throws<ImageDecodeException>(() => ImageDecoder.Decode(data, Limits));

        Assert.False(string.IsNullOrWhiteSpace(error.Message), description);
    }

    [Theory]
    [InlineData(0.10)]
    [InlineData(0.50)]
    [InlineData(0.99)]
    public void RefusesATruncatedPngThatImageSharpWouldPaintBlackBelowTheCut(double kept)
    {
        var png = File.ReadAllBytes(GroundingWeb.Tests.Support.RepositoryPaths.Sample("chelsea.png"));

        var error = Assert.Throws<ImageDecodeException>(() => ImageDecoder.Decode(png.AsSpan(0, (int)(png.Length * kept)), Limits));

        Assert.Contains("The PNG is truncated", error.Message);
        Assert.Equal(ImageProblem.Corrupt, error.Problem);
    }

    [Fact]
    public void AcceptsBytesAfterThePngsIendChunk()
    {
        byte[] png = [.. Encode(NoiseImage(32, 24), new PngEncoder()), .. "trailing"u8.ToArray()];

        var image = ImageDecoder.Decode(png, Limits);

        Assert.Equal((32, 24), (image.Width, image.Height));
    }

    [Fact]
    public void AcceptsBytesAppendedAfterTheJpegEndMarker()
    {
        // Phones append data (motion-photo video, maker blobs) after EOI; that is not truncation.
        byte[] jpeg = Encode(NoiseImage(64, 48), new JpegEncoder());
        byte[] appended = [.. jpeg, .. "trailing data \xFF\xDA"u8.ToArray(), 0xFF, 0xDA, 0x00];

        var image = ImageDecoder.Decode(appended, Limits);

        Assert.Equal((64, 48), (image.Width, image.Height));
    }

    [Fact]
    public void AppliesExifOrientationSix()
    {
        // Stored 32 wide x 16 high, left half red, right half blue. Orientation 6 means "rotate 90 degrees
        // clockwise to display", so the upright image is 16 x 32 with red on top and blue below.
        using var stored = new Image<Rgb24>(32, 16);
        for (int y = 0; y < 16; y++)
        {
            for (int x = 0; x < 32; x++)
            {
                stored[x, y] = x < 16 ? new Rgb24(255, 0, 0) : new Rgb24(0, 0, 255);
            }
        }

        stored.Metadata.ExifProfile = new ExifProfile();
        stored.Metadata.ExifProfile.SetValue(ExifTag.Orientation, (ushort)6);
        byte[] jpeg = Encode(stored, new JpegEncoder { Quality = 95 });

        var image = ImageDecoder.Decode(jpeg, Limits);

        Assert.Equal((16, 32), (image.Width, image.Height));
        AssertNear(Pixel(image, 8, 4), (255, 0, 0));
        AssertNear(Pixel(image, 8, 28), (0, 0, 255));
    }

    [Fact]
    public void ExpandsGreyToRgb()
    {
        using var grey = new Image<L8>(3, 1);
        grey[0, 0] = new L8(0);
        grey[1, 0] = new L8(77);
        grey[2, 0] = new L8(255);

        var image = ImageDecoder.Decode(Encode(grey, new PngEncoder { ColorType = PngColorType.Grayscale }), Limits);

        Assert.Equal(new byte[] { 0, 0, 0, 77, 77, 77, 255, 255, 255 }, image.Pixels);
    }

    [Fact]
    public void DropsAlphaOfGreyAlpha()
    {
        using var grey = new Image<La16>(1, 1);
        grey[0, 0] = new La16(90, 10);

        var image = ImageDecoder.Decode(Encode(grey, new PngEncoder { ColorType = PngColorType.GrayscaleWithAlpha }), Limits);

        Assert.Equal(new byte[] { 90, 90, 90 }, image.Pixels);
    }

    [Fact]
    public void DropsAlphaWithoutCompositingLikePilConvertRgb()
    {
        using var rgba = new Image<Rgba32>(2, 1);
        rgba[0, 0] = new Rgba32(10, 20, 30, 0);
        rgba[1, 0] = new Rgba32(200, 100, 50, 128);
        var encoder = new PngEncoder { ColorType = PngColorType.RgbWithAlpha, TransparentColorMode = PngTransparentColorMode.Preserve };

        var image = ImageDecoder.Decode(Encode(rgba, encoder), Limits);

        Assert.Equal(new byte[] { 10, 20, 30, 200, 100, 50 }, image.Pixels);
    }

    [Fact]
    public void ReducesSixteenBitPngToEightBits()
    {
        using var deep = new Image<Rgb48>(1, 1);
        deep[0, 0] = new Rgb48(65535, 0, 0x8080);
        var encoder = new PngEncoder { ColorType = PngColorType.Rgb, BitDepth = PngBitDepth.Bit16 };

        var image = ImageDecoder.Decode(Encode(deep, encoder), Limits);

        Assert.Equal(new byte[] { 255, 0, 128 }, image.Pixels);
    }

    [Fact]
    public void ExpandsPalettePng()
    {
        using var source = new Image<Rgb24>(2, 1);
        source[0, 0] = new Rgb24(255, 0, 0);
        source[1, 0] = new Rgb24(0, 0, 255);
        var encoder = new PngEncoder { ColorType = PngColorType.Palette };

        var image = ImageDecoder.Decode(Encode(source, encoder), Limits);

        Assert.Equal(new byte[] { 255, 0, 0, 0, 0, 255 }, image.Pixels);
    }

    [Fact]
    public void TakesTheFirstFrameOfAnAnimatedGif()
    {
        using var animation = new Image<Rgba32>(4, 4, new Rgba32(255, 0, 0));
        using var second = new Image<Rgba32>(4, 4, new Rgba32(0, 0, 255));
        animation.Frames.AddFrame(second.Frames.RootFrame);
        byte[] gif = Encode(animation, new GifEncoder());

        var image = ImageDecoder.Decode(gif, Limits);

        Assert.Equal((4, 4), (image.Width, image.Height));
        AssertNear(Pixel(image, 2, 2), (255, 0, 0));
    }

    private static Image<Rgb24> NoiseImage(int width, int height)
    {
        var noise = TestImages.Noise(width, height, seed: 3);
        return Image.LoadPixelData<Rgb24>(noise.Pixels, width, height);
    }

    private static byte[] Encode(Image image, SixLabors.ImageSharp.Formats.IImageEncoder encoder)
    {
        using var stream = new MemoryStream();
        image.Save(stream, encoder);
        return stream.ToArray();
    }

    /// <summary>A PNG signature, an IHDR chunk for an 8-bit RGB image of the given size, and IEND: no pixel data at all.</summary>
    private static (int R, int G, int B) Pixel(RgbImage image, int x, int y)
    {
        int i = (y * image.Width + x) * 3;
        return (image.Pixels[i], image.Pixels[i + 1], image.Pixels[i + 2]);
    }

    private static void AssertNear((int R, int G, int B) actual, (int R, int G, int B) expected, int tolerance = 24)
    {
        Assert.InRange(actual.R, expected.R - tolerance, expected.R + tolerance);
        Assert.InRange(actual.G, expected.G - tolerance, expected.G + tolerance);
        Assert.InRange(actual.B, expected.B - tolerance, expected.B + tolerance);
    }
}
