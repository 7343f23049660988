using GroundingWeb.Inference.Imaging;

namespace GroundingWeb.Tests.Imaging;

/// <summary>Small synthetic images for tests that need no fixture files.</summary>
internal static class TestImages
{
    public static RgbImage Solid(int width, int height, byte r, byte g, byte b)
    {
        var pixels = new byte[width * height * 3];
        for (int i = 0; i < pixels.Length; i += 3)
        {
            pixels[i] = r;
            pixels[i + 1] = g;
            pixels[i + 2] = b;
        }

        return new RgbImage { Width = width, Height = height, Pixels = pixels };
    }

    public static RgbImage Noise(int width, int height, int seed)
    {
        var pixels = new byte[width * height * 3];
        new Random(seed).NextBytes(pixels);
        return new RgbImage { Width = width, Height = height, Pixels = pixels };
    }
}
