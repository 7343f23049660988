using GroundingWeb.Inference.Geometry;

namespace GroundingWeb.Evaluation.RefShapes;

/// <summary>
/// One drawn shape. <see cref="CenterX"/>/<see cref="CenterY"/> place the shape's nominal centre and
/// <see cref="Extent"/> is the diameter of the circle it is inscribed in, in pixels (pixel i covers [i, i+1]).
/// </summary>
internal sealed record SceneObject(ShapeKind Shape, ShapeColor Color, SizeClass Size, double CenterX, double CenterY, double Extent)
{
    private ShapeOutline? _outline;

    // The cached outline belongs to one geometry: a copy made with `with` must build its own,
    // and equality compares what the object is, not the cache.
    private SceneObject(SceneObject original)
    {
        (Shape, Color, Size) = (original.Shape, original.Color, original.Size);
        (CenterX, CenterY, Extent) = (original.CenterX, original.CenterY, original.Extent);
    }

    public bool Equals(SceneObject? other) =>
        other is not null && (Shape, Color, Size, CenterX, CenterY, Extent) == (other.Shape, other.Color, other.Size, other.CenterX, other.CenterY, other.Extent);

    public override int GetHashCode() => HashCode.Combine(Shape, Color, Size, CenterX, CenterY, Extent);

    public ShapeOutline Outline => _outline ??= ShapeOutline.Create(Shape, CenterX, CenterY, Extent);

    /// <summary>Tight box around the drawn shape (analytic, not rounded).</summary>
    public Box Box => Outline.Bounds;

    /// <summary>Where an observer sees the object: the centre of its box (a triangle's centroid sits lower).</summary>
    public double X => (Box.X1 + Box.X2) * 0.5;

    public double Y => (Box.Y1 + Box.Y2) * 0.5;
}

/// <summary>A RefShapes image before rendering: its size and objects (the background lives in the pixels).</summary>
internal sealed record Scene(int Width, int Height, IReadOnlyList<SceneObject> Objects)
{
    public int ShortSide => Math.Min(Width, Height);
}
