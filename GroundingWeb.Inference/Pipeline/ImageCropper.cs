using GroundingWeb.Inference.Geometry;
using GroundingWeb.Inference.Imaging;
using SixLabors.ImageSharp;
using SixLabors.ImageSharp.PixelFormats;
using SixLabors.ImageSharp.Processing;

namespace GroundingWeb.Inference.Pipeline;

/// <summary>Cuts a predicted box out of the image it was predicted on (the reference's predict_and_crop).</summary>
public static class ImageCropper
{
    /// <summary>
    /// The pixels covered by <paramref name="box"/>: edges are rounded outwards so the crop never loses
    /// part of the object, and a box thinner than a pixel still yields one pixel.
    /// </summary>
    public static Rectangle ToPixelRectangle(Box box, int imageWidth, int imageHeight)
    {
        var clamped = box.Clamp(imageWidth, imageHeight);
        var x1 = Math.Clamp((int)MathF.Floor(clamped.X1), 0, imageWidth - 1);
        var y1 = Math.Clamp((int)MathF.Floor(clamped.Y1), 0, imageHeight - 1);
        var x2 = Math.Clamp((int)MathF.Ceiling(clamped.X2), x1 + 1, imageWidth);
        var y2 = Math.Clamp((int)MathF.Ceiling(clamped.Y2), y1 + 1, imageHeight);
        return new Rectangle(x1, y1, x2 - x1, y2 - y1);
    }

    public static byte[] CropToPng(RgbImage image, Box box)
    {
        var rect = ToPixelRectangle(box, image.Width, image.Height);
        using var source = Image.LoadPixelData<Rgb24>(image.Pixels, image.Width, image.Height);
        using var crop = source.Clone(ctx => ctx.Crop(rect));
        using var output = new MemoryStream();
        crop.SaveAsPng(output);
        return output.ToArray();
    }
}
