namespace GroundingWeb.Inference.Geometry;

/// <summary>
/// An axis-aligned box in corner form (x1, y1, x2, y2), in whatever unit the caller uses
/// (pixels or normalised [0, 1]). A box whose corners are inverted or coincide is empty:
/// its <see cref="Width"/>, <see cref="Height"/> and <see cref="Area"/> are 0.
/// </summary>
public readonly record struct Box(float X1, float Y1, float X2, float Y2)
{
    /// <summary>Horizontal extent, never negative (0 for an inverted box or a NaN coordinate).</summary>
    public float Width => X2 > X1 ? X2 - X1 : 0f;

    /// <summary>Vertical extent, never negative (0 for an inverted box or a NaN coordinate).</summary>
    public float Height => Y2 > Y1 ? Y2 - Y1 : 0f;

    public float Area => Width * Height;

    /// <summary>True when the box covers no area: zero width or height, inverted corners, or NaN.</summary>
    public bool IsEmpty => !(X2 > X1 && Y2 > Y1);

    /// <summary>From COCO form: top-left corner and size.</summary>
    public static Box FromXywh(float x, float y, float w, float h) => new(x, y, x + w, y + h);

    /// <summary>From centre and size, as torchvision's <c>box_convert(..., "cxcywh", "xyxy")</c>.</summary>
    public static Box FromCxcywh(float cx, float cy, float w, float h) =>
        new(cx - 0.5f * w, cy - 0.5f * h, cx + 0.5f * w, cy + 0.5f * h);

    /// <summary>
    /// Top-left corner and size. W and H are the raw corner differences (negative for an inverted
    /// box) so that <see cref="FromXywh"/> gives the same box back.
    /// </summary>
    public (float X, float Y, float W, float H) ToXywh() => (X1, Y1, X2 - X1, Y2 - Y1);

    /// <summary>Centre and size; W and H are raw corner differences, as in <see cref="ToXywh"/>.</summary>
    public (float Cx, float Cy, float W, float H) ToCxcywh() =>
        ((X1 + X2) * 0.5f, (Y1 + Y2) * 0.5f, X2 - X1, Y2 - Y1);

    /// <summary>
    /// Clips every coordinate into [0, width] x [0, height], as torchvision's <c>clip_boxes_to_image</c>.
    /// A box wholly outside the image comes back empty (zero width or height), not moved inside.
    /// </summary>
    public Box Clamp(float width, float height)
    {
        if (!(width >= 0f))
        {
            throw new ArgumentOutOfRangeException(nameof(width), width, "The clamp width must be a non-negative number (the image width).");
        }

        if (!(height >= 0f))
        {
            throw new ArgumentOutOfRangeException(nameof(height), height, "The clamp height must be a non-negative number (the image height).");
        }

        return new(Math.Clamp(X1, 0f, width), Math.Clamp(Y1, 0f, height), Math.Clamp(X2, 0f, width), Math.Clamp(Y2, 0f, height));
    }

    /// <summary>
    /// Multiplies x coordinates by <paramref name="sx"/> and y coordinates by <paramref name="sy"/>,
    /// e.g. normalised to pixels with (image width, image height). A negative factor mirrors the
    /// box, which then reads as inverted (empty).
    /// </summary>
    public Box Scale(float sx, float sy) => new(X1 * sx, Y1 * sy, X2 * sx, Y2 * sy);
}
