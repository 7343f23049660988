namespace GroundingWeb.Inference.Geometry;

/// <summary>
/// Overlap measures between two boxes, following torchvision's <c>box_iou</c>,
/// <c>generalized_box_iou</c> and <c>distance_box_iou_loss</c> in float32. Where torchvision
/// would return NaN (an empty union or enclosing box) these return a finite value instead, and
/// empty or inverted boxes count as zero area rather than negative area.
/// </summary>
public static class BoxMath
{
    // torchvision's default eps in _diou_iou_loss / distance_box_iou_loss.
    private const float DiouEps = 1e-7f;

    /// <summary>Intersection over union in [0, 1]; 0 when the union is empty (e.g. two zero-area boxes).</summary>
    public static float Iou(Box a, Box b)
    {
        var (intersection, union) = IntersectionAndUnion(a, b);
        return union > 0f ? intersection / union : 0f;
    }

    /// <summary>
    /// Generalised IoU in [-1, 1]: IoU minus the share of the smallest enclosing box that the union
    /// leaves uncovered. Negative for disjoint boxes. When the enclosing box has no area the penalty is 0.
    /// </summary>
    public static float GeneralizedIou(Box a, Box b)
    {
        var (intersection, union) = IntersectionAndUnion(a, b);
        var iou = union > 0f ? intersection / union : 0f;
        var enclosing = Enclosing(a, b).Area;
        return enclosing > 0f ? iou - (enclosing - union) / enclosing : iou;
    }

    /// <summary>
    /// Distance IoU, equal to <c>1 - torchvision.ops.distance_box_iou_loss(a, b)</c>:
    /// inter / (union + eps) minus squared centre distance over (squared enclosing diagonal + eps),
    /// eps = 1e-7. In (-1, 1]; finite for degenerate boxes.
    /// </summary>
    public static float DistanceIou(Box a, Box b)
    {
        var (intersection, union) = IntersectionAndUnion(a, b);
        var iou = intersection / (union + DiouEps);

        // As torchvision, the enclosing box and the centres come from the raw corners.
        var enclosingWidth = MathF.Max(a.X2, b.X2) - MathF.Min(a.X1, b.X1);
        var enclosingHeight = MathF.Max(a.Y2, b.Y2) - MathF.Min(a.Y1, b.Y1);
        var diagonalSquared = enclosingWidth * enclosingWidth + enclosingHeight * enclosingHeight + DiouEps;

        var dx = (a.X1 + a.X2) / 2f - (b.X1 + b.X2) / 2f;
        var dy = (a.Y1 + a.Y2) / 2f - (b.Y1 + b.Y2) / 2f;
        var centreDistanceSquared = dx * dx + dy * dy;

        return iou - centreDistanceSquared / diagonalSquared;
    }

    /// <summary>Element-wise IoU of paired boxes: <c>destination[i] = Iou(predicted[i], truth[i])</c>.</summary>
    public static void Iou(ReadOnlySpan<Box> predicted, ReadOnlySpan<Box> truth, Span<float> destination)
    {
        if (predicted.Length != truth.Length)
        {
            throw new ArgumentException(
                $"predicted has {predicted.Length} boxes but truth has {truth.Length}; pass one ground-truth box per prediction.",
                nameof(truth));
        }

        if (destination.Length < predicted.Length)
        {
            throw new ArgumentException(
                $"destination holds {destination.Length} values but {predicted.Length} IoUs are to be written; size it to the number of boxes.",
                nameof(destination));
        }

        for (var i = 0; i < predicted.Length; i++)
        {
            destination[i] = Iou(predicted[i], truth[i]);
        }
    }

    private static (float Intersection, float Union) IntersectionAndUnion(Box a, Box b)
    {
        var overlap = new Box(MathF.Max(a.X1, b.X1), MathF.Max(a.Y1, b.Y1), MathF.Min(a.X2, b.X2), MathF.Min(a.Y2, b.Y2));

        // Box.Area clamps at 0, so an inverted box neither overlaps nor adds negative area.
        var intersection = overlap.Area;
        return (intersection, a.Area + b.Area - intersection);
    }

    private static Box Enclosing(Box a, Box b) =>
        new(MathF.Min(a.X1, b.X1), MathF.Min(a.Y1, b.Y1), MathF.Max(a.X2, b.X2), MathF.Max(a.Y2, b.Y2));
}
