namespace GroundingWeb.Evaluation.RefShapes;

/// <summary>A scene and its pixels (interleaved RGB, row-major).</summary>
internal sealed record RenderedScene(Scene Scene, byte[] Rgb, BackgroundKind Background);

/// <summary>
/// Random scenes: 2-6 shapes that never overlap, small (12-18% of the shorter side) or large (25-35%),
/// each in a palette colour that contrasts with the background under it.
/// </summary>
internal static class SceneGenerator
{
    public const int MinObjects = 2;
    public const int MaxObjects = 6;
    private const double MinContrast = 95;

    public static RenderedScene Generate(int seed)
    {
        var rng = new Random(seed);
        var (width, height) = PickSize(rng);
        var (rgb, background) = BackgroundPainter.Paint(rng, width, height);
        var wanted = rng.Next(MinObjects, MaxObjects + 1);
        List<SceneObject> objects;
        do
        {
            objects = Place(rng, rgb, width, height, wanted);
        }
        while (objects.Count < MinObjects);
        foreach (var obj in objects)
        {
            ShapeRasterizer.Draw(rgb, width, height, obj);
        }
        return new RenderedScene(new Scene(width, height, objects), rgb, background);
    }

    /// <summary>Aspect (width / height) log-uniform in [0.6, 1.8]; width 256-640 and height 192-640.</summary>
    private static (int Width, int Height) PickSize(Random rng)
    {
        var aspect = Math.Exp(Math.Log(0.6) + rng.NextDouble() * (Math.Log(1.8) - Math.Log(0.6)));
        var minWidth = Math.Max(256, 192 * aspect);
        var maxWidth = Math.Min(640, 640 * aspect);
        var width = (int)Math.Round(minWidth + rng.NextDouble() * (maxWidth - minWidth));
        return (width, (int)Math.Round(width / aspect));
    }

    private static List<SceneObject> Place(Random rng, byte[] rgb, int width, int height, int wanted)
    {
        var shortSide = Math.Min(width, height);
        var gap = 0.04 * shortSide;
        var margin = 0.02 * shortSide;
        var placed = new List<SceneObject>();
        for (var n = 0; n < wanted; n++)
        {
            var size = rng.Next(2) == 0 ? SizeClass.Small : SizeClass.Large;
            var extent = shortSide * (size == SizeClass.Small ? 0.12 + rng.NextDouble() * 0.06 : 0.25 + rng.NextDouble() * 0.10);
            // A third of the time repeat an earlier object's shape and colour, so that attributes alone
            // do not always single an object out and the spatial expressions are needed.
            var twin = placed.Count > 0 && rng.NextDouble() < 0.33 ? placed[rng.Next(placed.Count)] : null;
            var shape = twin?.Shape ?? RandomPick.One(rng, RefShapesVocabulary.Shapes);
            var r = extent / 2;
            for (var attempt = 0; attempt < 60; attempt++)
            {
                var cx = r + margin + rng.NextDouble() * (width - 2 * (r + margin));
                var cy = r + margin + rng.NextDouble() * (height - 2 * (r + margin));
                if (placed.Any(o => !Apart(o, cx, cy, r, gap)))
                {
                    continue;
                }
                var candidate = new SceneObject(shape, ShapeColor.Red, size, cx, cy, extent);
                if (PickColor(rng, rgb, width, candidate, twin?.Color) is { } color)
                {
                    placed.Add(candidate with { Color = color });
                }
                break;
            }
        }
        return placed;
    }

    // Circumscribed squares, grown by the gap, must not meet: no two shapes touch or overlap.
    private static bool Apart(SceneObject o, double cx, double cy, double r, double gap) =>
        Math.Abs(o.CenterX - cx) >= o.Extent / 2 + r + gap || Math.Abs(o.CenterY - cy) >= o.Extent / 2 + r + gap;

    private static ShapeColor? PickColor(Random rng, byte[] rgb, int width, SceneObject obj, ShapeColor? preferred)
    {
        var (r, g, b) = MeanUnder(rgb, width, obj);
        if (preferred is { } p && p.ToRgb().DistanceTo(r, g, b) >= MinContrast)
        {
            return p;
        }
        var order = RefShapesVocabulary.Colors.ToArray();
        rng.Shuffle(order);
        foreach (var color in order)
        {
            if (color.ToRgb().DistanceTo(r, g, b) >= MinContrast)
            {
                return color;
            }
        }
        return null;
    }

    private static (double R, double G, double B) MeanUnder(byte[] rgb, int width, SceneObject obj)
    {
        var box = obj.Box;
        double r = 0, g = 0, b = 0;
        var n = 0;
        for (var y = (int)box.Y1; y < (int)Math.Ceiling(box.Y2); y += 2)
        {
            for (var x = (int)box.X1; x < (int)Math.Ceiling(box.X2); x += 2)
            {
                var i = (y * width + x) * 3;
                (r, g, b, n) = (r + rgb[i], g + rgb[i + 1], b + rgb[i + 2], n + 1);
            }
        }
        return (r / n, g / n, b / n);
    }
}
