using System.Runtime.InteropServices;
using GroundingWeb.Inference.Imaging;

namespace GroundingWeb.Tests.Imaging;

public class ImagePreprocessorTests
{
    public static TheoryData<string> FixtureImages => ResizeFixture.ImageNames();

    private static ImagePreprocessing FixturePreprocessing(ChannelOrder order = ChannelOrder.Rgb) => new(
        ResizeFixture.TargetWidth,
        ResizeFixture.TargetHeight,
        ResizeMethod.Cv2Bilinear,
        order,
        255f,
        ResizeFixture.Mean,
        ResizeFixture.Std);

    [Theory]
    [MemberData(nameof(FixtureImages))]
    public void PreprocessMatchesReferenceTensorBitForBit(string name)
    {
        var entry = ResizeFixture.Image(name);
        var chw = entry.GetProperty("outputs").GetProperty("chw_f32");
        var image = ImageDecoder.Decode(ResizeFixture.ReadFile(entry.GetProperty("file").GetString()!), new ImageLimits());

        float[] tensor = ImagePreprocessor.Preprocess(image, FixturePreprocessing());

        Assert.Equal(chw.GetProperty("sha256").GetString(), ResizeFixture.Sha256(tensor));
        if (chw.GetProperty("file").GetString() is { } shipped)
        {
            Assert.Equal(ResizeFixture.ReadGzip(shipped), MemoryMarshal.AsBytes(tensor.AsSpan()).ToArray());
        }
    }

    [Fact]
    public void LookupTableOfTheFixtureIsReproduced()
    {
        // norm_lut.f32 holds every (channel, byte) value of the reference formula.
        float[] expected = MemoryMarshal.Cast<byte, float>(ResizeFixture.ReadFile("norm_lut.f32")).ToArray();
        var hwc = new byte[256 * 3];
        for (int v = 0; v < 256; v++)
        {
            hwc[v * 3] = hwc[v * 3 + 1] = hwc[v * 3 + 2] = (byte)v;
        }

        var actual = new float[256 * 3];
        ImagePreprocessor.ToChw(hwc, 256, 1, FixturePreprocessing() with { Width = 256, Height = 1 }, actual);

        Assert.Equal(expected, actual);
    }

    [Fact]
    public void BgrWritesTheBluePlaneFirst()
    {
        byte[] hwc = [10, 20, 30, 40, 50, 60];
        var preprocessing = new ImagePreprocessing(2, 1, ResizeMethod.Cv2Bilinear, ChannelOrder.Bgr, 1f, [0f, 0f, 0f], [1f, 1f, 1f]);
        var actual = new float[6];

        ImagePreprocessor.ToChw(hwc, 2, 1, preprocessing, actual);

        Assert.Equal(new float[] { 30, 60, 20, 50, 10, 40 }, actual);
    }

    [Fact]
    public void MeanAndStdApplyPerTensorPlane()
    {
        byte[] hwc = [100, 100, 100];
        var preprocessing = new ImagePreprocessing(1, 1, ResizeMethod.Cv2Bilinear, ChannelOrder.Bgr, 1f, [10f, 20f, 30f], [1f, 2f, 5f]);
        var actual = new float[3];

        ImagePreprocessor.ToChw(hwc, 1, 1, preprocessing, actual);

        Assert.Equal(new float[] { 90f, 40f, 14f }, actual);
    }

    [Fact]
    public void PreprocessResizesToTheConfiguredSize()
    {
        var image = TestImages.Solid(640, 480, 255, 0, 0);

        float[] tensor = ImagePreprocessor.Preprocess(image, FixturePreprocessing() with { Width = 32, Height = 16 });

        Assert.Equal(3 * 32 * 16, tensor.Length);
        Assert.All(tensor.AsSpan(0, 512).ToArray(), v => Assert.Equal((1f - 0.485f) / 0.229f, v));
    }

    public static TheoryData<float[], float[], float> InvalidNormalisation => new()
    {
        { [0f, 0f], [1f, 1f, 1f], 255f },
        { [0f, 0f, 0f], [1f, 1f], 255f },
        { [0f, 0f, 0f], [1f, 0f, 1f], 255f },
        { [0f, 0f, 0f], [1f, float.NaN, 1f], 255f },
        { [0f, 0f, 0f], [1f, 1f, 1f], 0f },
    };

    [Theory]
    [MemberData(nameof(InvalidNormalisation))]
    public void RejectsInvalidNormalisation(float[] mean, float[] std, float scale)
    {
        var preprocessing = new ImagePreprocessing(1, 1, ResizeMethod.Cv2Bilinear, ChannelOrder.Rgb, scale, mean, std);

        Assert.Throws<ArgumentException>(() => ImagePreprocessor.ToChw(new byte[3], 1, 1, preprocessing, new float[3]));
    }

    [Theory]
    [InlineData(2, 3)]
    [InlineData(3, 2)]
    [InlineData(3, 4)]
    public void RejectsBuffersOfTheWrongLength(int hwcLength, int destinationLength)
    {
        var preprocessing = new ImagePreprocessing(1, 1, ResizeMethod.Cv2Bilinear, ChannelOrder.Rgb, 1f, [0f, 0f, 0f], [1f, 1f, 1f]);

        Assert.Throws<ArgumentException>(
            () => ImagePreprocessor.ToChw(new byte[hwcLength], 1, 1, preprocessing, new float[destinationLength]));
    }
}
