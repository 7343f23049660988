namespace GroundingWeb.Evaluation.RefShapes;

internal enum ShapeKind { Circle, Square, Triangle, Star, Hexagon, Diamond, Cross }

internal enum ShapeColor { Red, Green, Blue, Yellow, Orange, Purple, White, Black }

internal enum SizeClass { Small, Large }

internal enum ExpressionKind { Attribute, Position, Relation, Ordinal, Superlative }

internal readonly record struct Rgb(byte R, byte G, byte B)
{
    public double DistanceTo(double r, double g, double b) =>
        Math.Sqrt((R - r) * (R - r) + (G - g) * (G - g) + (B - b) * (B - b));
}

/// <summary>The words and colours of RefShapes: one name per enum value, as written in expressions and records.</summary>
internal static class RefShapesVocabulary
{
    public static readonly ShapeKind[] Shapes = Enum.GetValues<ShapeKind>();
    public static readonly ShapeColor[] Colors = Enum.GetValues<ShapeColor>();
    public static readonly SizeClass[] Sizes = Enum.GetValues<SizeClass>();
    public static readonly ExpressionKind[] Kinds = Enum.GetValues<ExpressionKind>();

    // Saturated or extreme colours, at least ~90 apart in RGB from each other; backgrounds stay mid-toned
    // and desaturated so every one of them stands out (SceneGenerator checks the contrast per object).
    private static readonly Rgb[] Palette =
    [
        new(215, 25, 30),   // red
        new(40, 170, 60),   // green
        new(35, 75, 225),   // blue
        new(255, 225, 30),  // yellow
        new(255, 140, 0),   // orange
        new(145, 50, 195),  // purple
        new(250, 250, 250), // white
        new(20, 20, 20),    // black
    ];

    public static Rgb ToRgb(this ShapeColor color) => Palette[(int)color];

    public static string Name(this ShapeKind shape) => shape.ToString().ToLowerInvariant();

    public static string Name(this ShapeColor color) => color.ToString().ToLowerInvariant();

    public static string Name(this SizeClass size) => size.ToString().ToLowerInvariant();

    public static string Name(this ExpressionKind kind) => kind.ToString().ToLowerInvariant();

    /// <summary>testA holds attribute expressions only; testB the spatial and relational kinds (RefCOCO's split names).</summary>
    public static bool IsSpatial(this ExpressionKind kind) => kind != ExpressionKind.Attribute;
}
