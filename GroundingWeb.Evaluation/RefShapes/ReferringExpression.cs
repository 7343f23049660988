namespace GroundingWeb.Evaluation.RefShapes;

/// <summary>Objects with all the given attributes; a null attribute matches anything.</summary>
internal sealed record ObjectFilter(ShapeKind? Shape = null, ShapeColor? Color = null, SizeClass? Size = null)
{
    public static readonly ObjectFilter Any = new();

    public int AttributeCount => (Shape is null ? 0 : 1) + (Color is null ? 0 : 1) + (Size is null ? 0 : 1);

    public bool Matches(SceneObject o) =>
        (Shape is null || o.Shape == Shape) && (Color is null || o.Color == Color) && (Size is null || o.Size == Size);

    /// <summary>All the filters that describe <paramref name="o"/> with a subset of its attributes.</summary>
    public static IEnumerable<ObjectFilter> SubsetsOf(SceneObject o)
    {
        for (var mask = 0; mask < 8; mask++)
        {
            yield return new ObjectFilter(
                (mask & 1) != 0 ? o.Shape : null, (mask & 2) != 0 ? o.Color : null, (mask & 4) != 0 ? o.Size : null);
        }
    }
}

internal enum Region { Left, Right, Top, Bottom, TopLeft, TopRight, BottomLeft, BottomRight, Middle }

internal enum Relation { LeftOf, RightOf, Above, Below, NextTo }

internal enum Direction { FromLeft, FromRight, FromTop, FromBottom }

internal enum Extreme { Leftmost, Rightmost, Topmost, Lowest, Biggest, Smallest }

/// <summary>
/// The structured form of an expression: what the resolver checks and the phrasing turns into words.
/// Every kind narrows the objects its <see cref="Filter"/> matches.
/// </summary>
internal abstract record ReferringExpression(ObjectFilter Filter)
{
    public abstract ExpressionKind Kind { get; }
}

/// <summary>"the small blue star": the filter alone.</summary>
internal sealed record AttributeExpression(ObjectFilter Filter) : ReferringExpression(Filter)
{
    public override ExpressionKind Kind => ExpressionKind.Attribute;
}

/// <summary>"the circle in the top left": the object's box centre lies in a region of the image's thirds.</summary>
internal sealed record PositionExpression(ObjectFilter Filter, Region Region) : ReferringExpression(Filter)
{
    public override ExpressionKind Kind => ExpressionKind.Position;
}

/// <summary>"the star above the red triangle": <see cref="Reference"/> must match exactly one object by itself.</summary>
internal sealed record RelationExpression(ObjectFilter Filter, Relation Relation, ObjectFilter Reference) : ReferringExpression(Filter)
{
    public override ExpressionKind Kind => ExpressionKind.Relation;
}

/// <summary>"the second circle from the left": 1-based <see cref="Index"/> among the filter's matches.</summary>
internal sealed record OrdinalExpression(ObjectFilter Filter, Direction Direction, int Index) : ReferringExpression(Filter)
{
    public override ExpressionKind Kind => ExpressionKind.Ordinal;
}

/// <summary>"the leftmost triangle", "the biggest shape".</summary>
internal sealed record SuperlativeExpression(ObjectFilter Filter, Extreme Extreme) : ReferringExpression(Filter)
{
    public override ExpressionKind Kind => ExpressionKind.Superlative;
}
