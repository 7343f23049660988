using System.Globalization;
using System.Text.Json;
using GroundingWeb.Inference.Geometry;

namespace GroundingWeb.Components;

/// <summary>How boxes read in the UI and what "copy as JSON" puts on the clipboard.</summary>
public static class BoxText
{
    public static string Pixels(Box box) => string.Create(CultureInfo.InvariantCulture, $"{box.X1:0} {box.Y1:0} {box.X2:0} {box.Y2:0}");

    /// <summary>The box in the API's shape: pixel xyxy plus the normalised one and the image size.</summary>
    public static string Json(string prompt, Box pixel, Box normalized, int width, int height) => JsonSerializer.Serialize(new
    {
        prompt,
        box = new[] { Round(pixel.X1), Round(pixel.Y1), Round(pixel.X2), Round(pixel.Y2) },
        boxNormalized = new[] { Round(normalized.X1, 4), Round(normalized.Y1, 4), Round(normalized.X2, 4), Round(normalized.Y2, 4) },
        imageWidth = width,
        imageHeight = height,
    });

    private static double Round(float value, int digits = 1) => Math.Round(value, digits);
}
