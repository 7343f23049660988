using GroundingWeb.Inference.Geometry;
using GroundingWeb.Inference.Imaging;
using GroundingWeb.Inference.Pipeline;
using SixLabors.ImageSharp;
using SixLabors.ImageSharp.PixelFormats;

namespace GroundingWeb.Tests.Pipeline;

public sealed class ImageCropperTests
{
    [Theory]
    [InlineData(10.2f, 20.7f, 30.1f, 40.9f, 10, 20, 21, 21)] // edges round outwards
    [InlineData(-5f, -5f, 500f, 500f, 0, 0, 100, 50)]        // clamped to the image
    [InlineData(50f, 25f, 50f, 25f, 50, 25, 1, 1)]           // a point still yields one pixel
    [InlineData(99.5f, 49.5f, 120f, 80f, 99, 49, 1, 1)]      // at the far corner
    public void PixelRectangleCoversTheBox(float x1, float y1, float x2, float y2, int x, int y, int w, int h)
    {
        var rect = ImageCropper.ToPixelRectangle(new Box(x1, y1, x2, y2), 100, 50);

        Assert.Equal(new Rectangle(x, y, w, h), rect);
    }

    [Fact]
    public void CropHoldsTheBoxPixels()
    {
        var pixels = new byte[8 * 6 * 3];
        for (var y = 0; y < 6; y++)
        for (var x = 0; x < 8; x++)
        {
            pixels[(y * 8 + x) * 3] = (byte)(x * 10);
            pixels[(y * 8 + x) * 3 + 1] = (byte)(y * 10);
        }
        var image = new RgbImage { Width = 8, Height = 6, Pixels = pixels };

        var png = ImageCropper.CropToPng(image, new Box(2, 1, 5, 4));

        using var crop = Image.Load<Rgb24>(png);
        Assert.Equal(3, crop.Width);
        Assert.Equal(3, crop.Height);
        Assert.Equal(new Rgb24(20, 10, 0), crop[0, 0]);
        Assert.Equal(new Rgb24(40, 30, 0), crop[2, 2]);
    }
}
