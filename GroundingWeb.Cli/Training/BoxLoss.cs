using static TorchSharp.torch;

namespace GroundingWeb.Cli.Training;

/// <summary>Box losses and IoU on [B, 4] xyxy tensors, written in torch ops so autograd differentiates them.</summary>
internal static class BoxLoss
{
    public const double DefaultEpsilon = 1e-7;

    /// <summary>
    /// Distance-IoU loss with torchvision's semantics (<c>torchvision.ops.distance_box_iou_loss</c>):
    /// <c>1 - inter/(union + eps) + |centre distance|^2 / (enclosing diagonal^2 + eps)</c>, where the
    /// intersection is zero for disjoint boxes and box areas are not clamped; mean over the batch.
    /// </summary>
    public static Tensor DistanceIou(Tensor predicted, Tensor target, double eps = DefaultEpsilon) =>
        DistanceIouPerBox(predicted, target, eps).mean();

    public static Tensor DistanceIouPerBox(Tensor predicted, Tensor target, double eps = DefaultEpsilon)
    {
        using var scope = NewDisposeScope();
        var (x1, y1, x2, y2) = Unbind(predicted);
        var (gx1, gy1, gx2, gy2) = Unbind(target);

        var interWidth = (minimum(x2, gx2) - maximum(x1, gx1)).clamp_min(0);
        var interHeight = (minimum(y2, gy2) - maximum(y1, gy1)).clamp_min(0);
        var intersection = interWidth * interHeight;
        var union = (x2 - x1) * (y2 - y1) + (gx2 - gx1) * (gy2 - gy1) - intersection;
        var iou = intersection / (union + eps);

        var diagonal = (maximum(x2, gx2) - minimum(x1, gx1)).square() + (maximum(y2, gy2) - minimum(y1, gy1)).square() + eps;
        var centres = ((x1 + x2) / 2 - (gx1 + gx2) / 2).square() + ((y1 + y2) / 2 - (gy1 + gy2) / 2).square();
        return (1 - iou + centres / diagonal).MoveToOuterDisposeScope();
    }

    /// <summary>Plain IoU per box pair for reporting: widths and heights clamped at zero, 0 where the union is empty.</summary>
    public static Tensor Iou(Tensor predicted, Tensor target)
    {
        using var scope = NewDisposeScope();
        var (x1, y1, x2, y2) = Unbind(predicted);
        var (gx1, gy1, gx2, gy2) = Unbind(target);
        var intersection = (minimum(x2, gx2) - maximum(x1, gx1)).clamp_min(0) * (minimum(y2, gy2) - maximum(y1, gy1)).clamp_min(0);
        var union = (x2 - x1).clamp_min(0) * (y2 - y1).clamp_min(0) + (gx2 - gx1).clamp_min(0) * (gy2 - gy1).clamp_min(0) - intersection;
        return where(union > 0, intersection / union.clamp_min(1e-12), zeros_like(union)).MoveToOuterDisposeScope();
    }

    private static (Tensor, Tensor, Tensor, Tensor) Unbind(Tensor boxes)
    {
        if (boxes.dim() != 2 || boxes.shape[1] != 4)
        {
            throw new ArgumentException($"Boxes must be [B, 4] xyxy; got [{string.Join(", ", boxes.shape)}].");
        }
        var parts = boxes.unbind(1);
        return (parts[0], parts[1], parts[2], parts[3]);
    }
}
