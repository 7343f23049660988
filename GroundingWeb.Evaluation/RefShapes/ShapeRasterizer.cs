namespace GroundingWeb.Evaluation.RefShapes;

/// <summary>
/// Draws shapes into an interleaved RGB buffer with anti-aliased edges: pixels whose centre is more
/// than a half-diagonal from the outline are fully in or out; the rest are supersampled 4x4.
/// </summary>
internal static class ShapeRasterizer
{
    private const int Samples = 4;
    private const double EdgeBand = 0.75;

    public static void Draw(Span<byte> rgb, int width, int height, SceneObject obj)
    {
        var outline = obj.Outline;
        var color = obj.Color.ToRgb();
        var bounds = outline.Bounds;
        var x0 = Math.Max(0, (int)Math.Floor(bounds.X1));
        var y0 = Math.Max(0, (int)Math.Floor(bounds.Y1));
        var x1 = Math.Min(width - 1, (int)Math.Ceiling(bounds.X2));
        var y1 = Math.Min(height - 1, (int)Math.Ceiling(bounds.Y2));
        for (var y = y0; y <= y1; y++)
        {
            for (var x = x0; x <= x1; x++)
            {
                var coverage = Coverage(outline, x, y);
                if (coverage <= 0)
                {
                    continue;
                }
                var i = (y * width + x) * 3;
                rgb[i] = Blend(rgb[i], color.R, coverage);
                rgb[i + 1] = Blend(rgb[i + 1], color.G, coverage);
                rgb[i + 2] = Blend(rgb[i + 2], color.B, coverage);
            }
        }
    }

    /// <summary>Share of pixel (x, y), the square [x, x+1] x [y, y+1], inside the outline.</summary>
    public static double Coverage(ShapeOutline outline, int x, int y)
    {
        var (cx, cy) = (x + 0.5, y + 0.5);
        if (outline.DistanceToBoundary(cx, cy) > EdgeBand)
        {
            return outline.Contains(cx, cy) ? 1 : 0;
        }
        var inside = 0;
        for (var sy = 0; sy < Samples; sy++)
        {
            for (var sx = 0; sx < Samples; sx++)
            {
                if (outline.Contains(x + (sx + 0.5) / Samples, y + (sy + 0.5) / Samples))
                {
                    inside++;
                }
            }
        }
        return inside / (double)(Samples * Samples);
    }

    private static byte Blend(byte under, byte over, double alpha) =>
        (byte)Math.Round(under + (over - under) * alpha);
}
