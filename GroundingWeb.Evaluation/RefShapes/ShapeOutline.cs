using GroundingWeb.Inference.Geometry;

namespace GroundingWeb.Evaluation.RefShapes;

/// <summary>
/// A shape's outline as a circle or a simple polygon: inside test, distance to the boundary (to find the
/// pixels that need anti-aliasing) and bounds. Shapes are upright; a square is never turned into a diamond.
/// </summary>
internal sealed class ShapeOutline
{
    private readonly double _cx, _cy, _radius;
    private readonly double[]? _xs, _ys;

    private ShapeOutline(double cx, double cy, double radius)
    {
        (_cx, _cy, _radius) = (cx, cy, radius);
        Bounds = new Box((float)(cx - radius), (float)(cy - radius), (float)(cx + radius), (float)(cy + radius));
    }

    private ShapeOutline(double[] xs, double[] ys)
    {
        (_xs, _ys) = (xs, ys);
        Bounds = new Box((float)xs.Min(), (float)ys.Min(), (float)xs.Max(), (float)ys.Max());
    }

    public Box Bounds { get; }

    public static ShapeOutline Create(ShapeKind shape, double cx, double cy, double extent)
    {
        var r = extent / 2;
        return shape switch
        {
            ShapeKind.Circle => new ShapeOutline(cx, cy, r),
            ShapeKind.Square => Polygon(cx, cy, [(-0.85, -0.85), (0.85, -0.85), (0.85, 0.85), (-0.85, 0.85)], r),
            ShapeKind.Triangle => Polygon(cx, cy, [(0, -1), (1, 0.75), (-1, 0.75)], r),
            ShapeKind.Diamond => Polygon(cx, cy, [(0, -1), (0.68, 0), (0, 1), (-0.68, 0)], r),
            ShapeKind.Hexagon => Regular(cx, cy, r, 6, 0, 1),
            ShapeKind.Star => Regular(cx, cy, r, 10, -Math.PI / 2, 0.45),
            ShapeKind.Cross => Polygon(cx, cy,
                [(-0.3, -0.9), (0.3, -0.9), (0.3, -0.3), (0.9, -0.3), (0.9, 0.3), (0.3, 0.3),
                 (0.3, 0.9), (-0.3, 0.9), (-0.3, 0.3), (-0.9, 0.3), (-0.9, -0.3), (-0.3, -0.3)], r),
            _ => throw new ArgumentOutOfRangeException(nameof(shape), shape, "Unknown shape."),
        };
    }

    public bool Contains(double x, double y)
    {
        if (_xs is null)
        {
            var (dx, dy) = (x - _cx, y - _cy);
            return dx * dx + dy * dy <= _radius * _radius;
        }
        // Even-odd rule; the star is concave, the rest convex.
        var inside = false;
        var ys = _ys!;
        for (int i = 0, j = _xs.Length - 1; i < _xs.Length; j = i++)
        {
            if ((ys[i] > y) != (ys[j] > y) && x < (_xs[j] - _xs[i]) * (y - ys[i]) / (ys[j] - ys[i]) + _xs[i])
            {
                inside = !inside;
            }
        }
        return inside;
    }

    /// <summary>Unsigned distance from (x, y) to the outline.</summary>
    public double DistanceToBoundary(double x, double y)
    {
        if (_xs is null)
        {
            return Math.Abs(Math.Sqrt((x - _cx) * (x - _cx) + (y - _cy) * (y - _cy)) - _radius);
        }
        var best = double.MaxValue;
        var ys = _ys!;
        for (int i = 0, j = _xs.Length - 1; i < _xs.Length; j = i++)
        {
            best = Math.Min(best, SegmentDistanceSquared(x, y, _xs[j], ys[j], _xs[i], ys[i]));
        }
        return Math.Sqrt(best);
    }

    private static double SegmentDistanceSquared(double px, double py, double ax, double ay, double bx, double by)
    {
        var (vx, vy) = (bx - ax, by - ay);
        var t = Math.Clamp(((px - ax) * vx + (py - ay) * vy) / (vx * vx + vy * vy), 0, 1);
        var (dx, dy) = (px - ax - t * vx, py - ay - t * vy);
        return dx * dx + dy * dy;
    }

    private static ShapeOutline Polygon(double cx, double cy, (double X, double Y)[] unit, double r) =>
        new(unit.Select(p => cx + p.X * r).ToArray(), unit.Select(p => cy + p.Y * r).ToArray());

    // Alternating outer/inner radii when inner < 1 (a star); start angle puts the first vertex.
    private static ShapeOutline Regular(double cx, double cy, double r, int vertices, double start, double inner)
    {
        var xs = new double[vertices];
        var ys = new double[vertices];
        for (var i = 0; i < vertices; i++)
        {
            var a = start + 2 * Math.PI * i / vertices;
            var radius = i % 2 == 0 ? r : r * inner;
            xs[i] = cx + radius * Math.Cos(a);
            ys[i] = cy + radius * Math.Sin(a);
        }
        return new ShapeOutline(xs, ys);
    }
}
