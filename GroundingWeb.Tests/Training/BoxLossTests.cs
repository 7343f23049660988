using GroundingWeb.Cli.Training;
using TorchSharp;
using static TorchSharp.torch;

namespace GroundingWeb.Tests.Training;

public class BoxLossTests
{
    public BoxLossTests() => TorchRuntime.EnsureLoaded();

    // DIoU = 1 - IoU + d^2 / c^2 (torchvision eps 1e-7 is below the tolerance), worked by hand.
    [Theory]
    // identical boxes: IoU 1, centres coincide
    [InlineData(0, 0, 1, 1, 0, 0, 1, 1, 0.0)]
    // half overlap: inter 0.5, union 1.5, IoU 1/3; centres 0.5 apart, enclosing 1.5 x 1 -> c^2 3.25; 1 - 1/3 + 0.25/3.25
    [InlineData(0, 0, 1, 1, 0.5, 0, 1.5, 1, 0.74358974)]
    // disjoint: IoU 0; centres (0.5,0.5) and (2.5,2.5): d^2 8; enclosing 3 x 3: c^2 18; 1 + 8/18
    [InlineData(0, 0, 1, 1, 2, 2, 3, 3, 1.44444444)]
    // contained: inner 0.25 of 1: IoU 0.25; centres (0.25,0.25) vs (0.5,0.5): d^2 0.125; c^2 2; 0.75 + 0.0625
    [InlineData(0, 0, 0.5, 0.5, 0, 0, 1, 1, 0.8125)]
    public void MatchesHandComputedValues(float x1, float y1, float x2, float y2, float gx1, float gy1, float gx2, float gy2, double expected)
    {
        using var predicted = tensor(new[] { x1, y1, x2, y2 }, [1, 4]);
        using var target = tensor(new[] { gx1, gy1, gx2, gy2 }, [1, 4]);

        using var loss = BoxLoss.DistanceIou(predicted, target);

        Assert.Equal(expected, loss.item<float>(), 5);
    }

    [Fact]
    public void MatchesTorchVisionOnRandomBoxesIncludingGradients()
    {
        manual_seed(3);
        using var scope = NewDisposeScope();
        var a = rand(64, 4);
        var b = rand(64, 4);
        // Mostly proper boxes, a few inverted ones: both losses use the unclamped areas.
        var predicted = cat([minimum(a[.., ..2], a[.., 2..]), maximum(a[.., ..2], a[.., 2..])], 1);
        predicted[..4] = a[..4];
        predicted = predicted.detach().requires_grad_(true);
        var target = cat([minimum(b[.., ..2], b[.., 2..]), maximum(b[.., ..2], b[.., 2..])], 1);

        var ours = BoxLoss.DistanceIou(predicted, target);
        var oursGrad = autograd.grad([ours], [predicted])[0];
        var reference = torchvision.ops.distance_box_iou_loss(predicted, target, nn.Reduction.Mean, BoxLoss.DefaultEpsilon);
        var referenceGrad = autograd.grad([reference], [predicted])[0];

        Assert.Equal(reference.item<float>(), ours.item<float>(), 6);
        Assert.True((oursGrad - referenceGrad).abs().max().item<float>() < 1e-6f);
        var perBox = BoxLoss.DistanceIouPerBox(predicted, target);
        var referencePerBox = torchvision.ops.distance_box_iou_loss(predicted, target, nn.Reduction.None, BoxLoss.DefaultEpsilon);
        Assert.True((perBox - referencePerBox).abs().max().item<float>() < 1e-6f);
    }

    [Fact]
    public void IouIsZeroForDisjointAndDegenerateBoxes()
    {
        using var scope = NewDisposeScope();
        var predicted = tensor(new float[] { 0, 0, 1, 1, 0, 0, 1, 1, 0.5f, 0.5f, 0.2f, 0.2f }, [3, 4]);
        var target = tensor(new float[] { 0, 0, 1, 1, 2, 2, 3, 3, 0, 0, 1, 1 }, [3, 4]);

        var iou = BoxLoss.Iou(predicted, target).data<float>().ToArray();

        Assert.Equal([1f, 0f, 0f], iou);
    }
}
