using GroundingWeb.Inference.Imaging;

namespace GroundingWeb.Tests.Imaging;

public class Cv2BilinearResizeTests
{
    public static TheoryData<string> FixtureImages => ResizeFixture.ImageNames();

    [Theory]
    [MemberData(nameof(FixtureImages))]
    public void MatchesOpenCvByteForByte(string name)
    {
        var entry = ResizeFixture.Image(name);
        var image = ImageDecoder.Decode(ResizeFixture.ReadFile(entry.GetProperty("file").GetString()!), new ImageLimits());
        byte[] expected = ResizeFixture.ReadGzip(entry.GetProperty("outputs").GetProperty("resized_u8").GetProperty("file").GetString()!);

        byte[] actual = ImageResizer.Resize(image, ResizeFixture.TargetWidth, ResizeFixture.TargetHeight, ResizeMethod.Cv2Bilinear);

        Assert.Equal(expected.Length, actual.Length);
        int firstDifference = expected.AsSpan().CommonPrefixLength(actual);
        Assert.True(firstDifference == expected.Length, $"{name}: first difference at byte {firstDifference}");
    }

    [Fact]
    public void SameSizeIsACopy()
    {
        var image = TestImages.Noise(13, 7, seed: 1);

        byte[] actual = ImageResizer.Resize(image, 13, 7, ResizeMethod.Cv2Bilinear);

        Assert.Equal(image.Pixels, actual);
        Assert.NotSame(image.Pixels, actual);
    }

    [Fact]
    public void ExactHalfAveragesEachTwoByTwoBlockLikeInterArea()
    {
        // One 2x2 block per channel: R = 1,2,3,4 -> (10+2)>>2 = 3; G = 0,0,0,1 -> (1+2)>>2 = 0; B = 255,255,255,254 -> 255.
        var image = new RgbImage
        {
            Width = 2,
            Height = 2,
            Pixels = [1, 0, 255, 2, 0, 255, 3, 0, 255, 4, 1, 254],
        };

        byte[] actual = ImageResizer.Resize(image, 1, 1, ResizeMethod.Cv2Bilinear);

        Assert.Equal([3, 0, 255], actual);
    }

    [Theory]
    [InlineData(1, 1, 5, 3)]
    [InlineData(37, 23, 224, 224)]
    [InlineData(640, 480, 224, 224)]
    [InlineData(50, 1000, 7, 9)]
    [InlineData(9, 9, 10, 10)]
    public void ConstantImageStaysConstant(int width, int height, int targetWidth, int targetHeight)
    {
        var image = TestImages.Solid(width, height, 200, 17, 255);

        byte[] actual = ImageResizer.Resize(image, targetWidth, targetHeight, ResizeMethod.Cv2Bilinear);

        Assert.Equal(targetWidth * targetHeight * 3, actual.Length);
        for (int i = 0; i < actual.Length; i += 3)
        {
            Assert.Equal((byte)200, actual[i]);
            Assert.Equal((byte)17, actual[i + 1]);
            Assert.Equal((byte)255, actual[i + 2]);
        }
    }

    [Fact]
    public void UpscaleOfTwoPixelsInterpolatesWithHalfPixelCentres()
    {
        // 2x1 -> 4x1: scale 0.5; x = -0.25 (clamped to pixel 0), 0.25, 0.75, 1.25 (clamped to pixel 1).
        var image = new RgbImage { Width = 2, Height = 1, Pixels = [0, 0, 0, 200, 200, 200] };

        byte[] actual = ImageResizer.Resize(image, 4, 1, ResizeMethod.Cv2Bilinear);

        Assert.Equal(new byte[] { 0, 50, 150, 200 }, actual.Where((_, i) => i % 3 == 0).ToArray());
    }

    [Theory]
    [InlineData(0, 10)]
    [InlineData(10, 0)]
    [InlineData(-1, 10)]
    public void RejectsNonPositiveTargetSize(int width, int height)
    {
        var image = TestImages.Solid(4, 4, 1, 2, 3);

        Assert.ThrowsAny<ArgumentException>(() => ImageResizer.Resize(image, width, height, ResizeMethod.Cv2Bilinear));
    }

    [Fact]
    public void RejectsPixelBufferOfTheWrongLength()
    {
        var image = new RgbImage { Width = 4, Height = 4, Pixels = new byte[47] };

        Assert.Throws<ArgumentException>(() => ImageResizer.Resize(image, 2, 2, ResizeMethod.Cv2Bilinear));
    }
}
