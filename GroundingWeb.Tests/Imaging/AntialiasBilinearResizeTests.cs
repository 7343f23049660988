using GroundingWeb.Inference.Imaging;

namespace GroundingWeb.Tests.Imaging;

public class AntialiasBilinearResizeTests
{
    [Theory]
    [InlineData(1, 1)]
    [InlineData(17, 9)]
    [InlineData(224, 224)]
    public void SameSizeIsACopy(int width, int height)
    {
        var image = TestImages.Noise(width, height, seed: width);

        byte[] actual = ImageResizer.Resize(image, width, height, ResizeMethod.AntialiasBilinear);

        Assert.Equal(image.Pixels, actual);
    }

    [Theory]
    [InlineData(640, 480, 224, 224)]
    [InlineData(1, 1, 5, 3)]
    [InlineData(37, 23, 3, 2)]
    [InlineData(1000, 50, 7, 50)]
    [InlineData(50, 1000, 50, 9)]
    public void ConstantImageStaysConstant(int width, int height, int targetWidth, int targetHeight)
    {
        var image = TestImages.Solid(width, height, 255, 0, 128);

        byte[] actual = ImageResizer.Resize(image, targetWidth, targetHeight, ResizeMethod.AntialiasBilinear);

        Assert.Equal(TestImages.Solid(targetWidth, targetHeight, 255, 0, 128).Pixels, actual);
    }

    [Theory]
    [InlineData(12, 6, 4, 3)]
    [InlineData(9, 9, 6, 6)]
    [InlineData(5, 4, 10, 8)]
    public void MirroringCommutesWithResize(int width, int height, int targetWidth, int targetHeight)
    {
        // Scales 3, 2, 1.5 and 0.5 are exact in binary, so the filter is exactly symmetric.
        var image = TestImages.Noise(width, height, seed: 7);

        byte[] resizedThenMirrored = MirrorX(ImageResizer.Resize(image, targetWidth, targetHeight, ResizeMethod.AntialiasBilinear), targetWidth, targetHeight);
        byte[] mirroredThenResized = ImageResizer.Resize(
            new RgbImage { Width = width, Height = height, Pixels = MirrorX(image.Pixels, width, height) },
            targetWidth,
            targetHeight,
            ResizeMethod.AntialiasBilinear);

        Assert.Equal(resizedThenMirrored, mirroredThenResized);
    }

    [Fact]
    public void HalvingUsesTheWidenedTriangleFilter()
    {
        // 4 -> 2: support 2, taps at distance 0.5 and 1.5 weigh 3/7, 3/7, 1/7 (the far fourth tap is outside the window).
        // Out 0 = (0*3 + 100*3 + 200) / 7 = 71.4 -> 71; out 1 = (100 + 200*3 + 60*3) / 7 = 125.7 -> 126.
        var image = Row(0, 100, 200, 60);

        byte[] actual = ImageResizer.Resize(image, 2, 1, ResizeMethod.AntialiasBilinear);

        Assert.Equal(new byte[] { 71, 71, 71, 126, 126, 126 }, actual);
    }

    [Fact]
    public void HalvingVerticallyMatchesHalvingHorizontally()
    {
        var row = Row(0, 100, 200, 60);
        var column = new RgbImage { Width = 1, Height = 4, Pixels = row.Pixels };

        byte[] actual = ImageResizer.Resize(column, 1, 2, ResizeMethod.AntialiasBilinear);

        Assert.Equal(new byte[] { 71, 71, 71, 126, 126, 126 }, actual);
    }

    [Fact]
    public void UpscaleInterpolatesBetweenPixelCentres()
    {
        var image = Row(0, 200);

        byte[] actual = ImageResizer.Resize(image, 4, 1, ResizeMethod.AntialiasBilinear);

        Assert.Equal(new byte[] { 0, 50, 150, 200 }, actual.Where((_, i) => i % 3 == 0).ToArray());
    }

    [Fact]
    public void DownscaleAveragesAwayNoiseThatTwoTapsWouldKeep()
    {
        // An alternating 0/255 column pattern: the antialiased 8x downscale is mid grey,
        // whereas a two-tap bilinear samples near-pure columns.
        var pixels = new byte[64 * 8 * 3];
        for (int i = 0; i < pixels.Length; i++)
        {
            pixels[i] = (i / 3) % 2 == 0 ? (byte)0 : (byte)255;
        }

        var image = new RgbImage { Width = 64, Height = 8, Pixels = pixels };

        byte[] actual = ImageResizer.Resize(image, 8, 8, ResizeMethod.AntialiasBilinear);

        Assert.All(actual, v => Assert.InRange(v, 120, 135));
    }

    private static RgbImage Row(params byte[] values) => new()
    {
        Width = values.Length,
        Height = 1,
        Pixels = values.SelectMany(v => new[] { v, v, v }).ToArray(),
    };

    private static byte[] MirrorX(byte[] pixels, int width, int height)
    {
        var mirrored = new byte[pixels.Length];
        for (int y = 0; y < height; y++)
        {
            for (int x = 0; x < width; x++)
            {
                pixels.AsSpan((y * width + x) * 3, 3).CopyTo(mirrored.AsSpan((y * width + width - 1 - x) * 3, 3));
            }
        }

        return mirrored;
    }
}
