using GroundingWeb.Inference.Geometry;

namespace GroundingWeb.Tests.Geometry;

public class BoxMathTests
{
    private const double Tolerance = 1e-6;

    [Theory]
    [InlineData(0f, 0f, 2f, 2f, 0f, 0f, 2f, 2f, 1.0)]           // identical
    [InlineData(0f, 0f, 2f, 2f, 1f, 1f, 3f, 3f, 1.0 / 7)]       // inter 1, union 4 + 4 - 1 = 7
    [InlineData(0f, 0f, 4f, 4f, 0f, 0f, 2f, 2f, 0.25)]          // contained: 4 / 16
    [InlineData(0f, 0f, 4f, 2f, 2f, 0f, 6f, 2f, 1.0 / 3)]       // half overlap: inter 4, union 8 + 8 - 4 = 12
    [InlineData(0f, 0f, 1f, 1f, 2f, 2f, 3f, 3f, 0.0)]           // disjoint
    [InlineData(0f, 0f, 1f, 1f, 1f, 0f, 2f, 1f, 0.0)]           // sharing an edge only
    [InlineData(1f, 1f, 1f, 1f, 1f, 1f, 1f, 1f, 0.0)]           // two identical points: union 0 -> 0, not NaN
    [InlineData(1f, 1f, 1f, 3f, 0f, 0f, 2f, 2f, 0.0)]           // zero-width line inside a box
    [InlineData(3f, 3f, 1f, 1f, 0f, 0f, 4f, 4f, 0.0)]           // inverted box is empty: inter 0, union 0 + 16
    [InlineData(3f, 3f, 1f, 1f, 3f, 3f, 1f, 1f, 0.0)]           // inverted against itself: union 0 -> 0
    public void IouFollowsBoxIou(float ax1, float ay1, float ax2, float ay2, float bx1, float by1, float bx2, float by2, double expected)
    {
        var a = new Box(ax1, ay1, ax2, ay2);
        var b = new Box(bx1, by1, bx2, by2);

        Assert.Equal(expected, BoxMath.Iou(a, b), Tolerance);
        Assert.Equal(expected, BoxMath.Iou(b, a), Tolerance);
    }

    [Theory]
    [InlineData(0f, 0f, 2f, 2f, 0f, 0f, 2f, 2f, 1.0)]                // identical
    [InlineData(0f, 0f, 2f, 2f, 1f, 1f, 3f, 3f, 1.0 / 7 - 2.0 / 9)]  // IoU 1/7; enclosing 3x3 = 9, union 7: 1/7 - (9-7)/9 = -5/63
    [InlineData(0f, 0f, 4f, 4f, 0f, 0f, 2f, 2f, 0.25)]               // enclosing = union = 16: no penalty
    [InlineData(0f, 0f, 1f, 1f, 2f, 2f, 3f, 3f, -7.0 / 9)]           // disjoint: 0 - (9 - 2) / 9
    [InlineData(0f, 0f, 1f, 1f, 9f, 0f, 10f, 1f, -0.8)]              // far apart: 0 - (10 - 2) / 10
    [InlineData(0f, 0f, 1f, 1f, 1f, 0f, 2f, 1f, 0.0)]                // touching: enclosing 2 = union 2
    [InlineData(1f, 1f, 1f, 1f, 1f, 1f, 1f, 1f, 0.0)]                // identical points: enclosing 0 -> IoU 0, not NaN
    [InlineData(1f, 1f, 1f, 1f, 0f, 0f, 2f, 2f, 0.0)]                // point inside a box: 0 - (4 - 4) / 4
    [InlineData(3f, 3f, 3f, 3f, 0f, 0f, 2f, 2f, -5.0 / 9)]           // point outside: enclosing 3x3 = 9, union 4
    public void GeneralizedIouFollowsGeneralizedBoxIou(float ax1, float ay1, float ax2, float ay2, float bx1, float by1, float bx2, float by2, double expected)
    {
        var a = new Box(ax1, ay1, ax2, ay2);
        var b = new Box(bx1, by1, bx2, by2);

        Assert.Equal(expected, BoxMath.GeneralizedIou(a, b), Tolerance);
        Assert.Equal(expected, BoxMath.GeneralizedIou(b, a), Tolerance);
    }

    [Theory]
    [InlineData(0f, 0f, 2f, 2f, 0f, 0f, 2f, 2f, 1.0)]                // identical: 4 / (4 + 1e-7), no distance
    [InlineData(0f, 0f, 2f, 2f, 1f, 1f, 3f, 3f, 1.0 / 7 - 1.0 / 9)]  // IoU 1/7; centres (1,1),(2,2): d^2 2; diagonal^2 3^2+3^2 = 18
    [InlineData(0f, 0f, 4f, 4f, 1f, 1f, 3f, 3f, 0.25)]               // concentric: plain IoU 4 / 16
    [InlineData(0f, 0f, 4f, 4f, 0f, 0f, 2f, 2f, 0.1875)]             // IoU 1/4; centres (2,2),(1,1): d^2 2; diagonal^2 32 -> 1/4 - 1/16
    [InlineData(0f, 0f, 1f, 1f, 2f, 2f, 3f, 3f, -4.0 / 9)]           // disjoint: 0 - 8 / 18
    [InlineData(1f, 1f, 1f, 1f, 1f, 1f, 1f, 1f, 0.0)]                // identical points: 0 / eps - 0 / eps = 0, not NaN
    [InlineData(0f, 0f, 0f, 0f, 3f, 4f, 3f, 4f, -1.0)]               // distant points: 0 - 25 / (25 + eps)
    public void DistanceIouIsOneMinusDistanceBoxIouLoss(float ax1, float ay1, float ax2, float ay2, float bx1, float by1, float bx2, float by2, double expected)
    {
        var a = new Box(ax1, ay1, ax2, ay2);
        var b = new Box(bx1, by1, bx2, by2);

        Assert.Equal(expected, BoxMath.DistanceIou(a, b), Tolerance);
        Assert.Equal(expected, BoxMath.DistanceIou(b, a), Tolerance);
    }

    [Fact]
    public void DistanceIouPenalisesCentreDistanceThatIouIgnores()
    {
        // Both pairs have IoU 0; only the farther pair loses more.
        var a = new Box(0f, 0f, 1f, 1f);

        var near = BoxMath.DistanceIou(a, new Box(2f, 0f, 3f, 1f));
        var far = BoxMath.DistanceIou(a, new Box(8f, 0f, 9f, 1f));

        Assert.True(far < near, $"far {far} should be below near {near}");
    }

    [Fact]
    public void SpanIouWritesOneValuePerPair()
    {
        Box[] predicted = [new(0f, 0f, 2f, 2f), new(0f, 0f, 2f, 2f), new(1f, 1f, 1f, 1f)];
        Box[] truth = [new(0f, 0f, 2f, 2f), new(1f, 1f, 3f, 3f), new(1f, 1f, 1f, 1f)];
        var destination = new float[3];

        BoxMath.Iou(predicted, truth, destination);

        Assert.Equal(1.0, destination[0], Tolerance);
        Assert.Equal(1.0 / 7, destination[1], Tolerance);
        Assert.Equal(0.0, destination[2], Tolerance);
    }

    [Fact]
    public void SpanIouRejectsMismatchedLengths()
    {
        var predicted = new Box[2];
        var truth = new Box[3];
        var destination = new float[3];

        Assert.Throws<ArgumentException>(() => BoxMath.Iou(predicted, truth, destination));
    }

    [Fact]
    public void SpanIouRejectsAShortDestination()
    {
        var boxes = new Box[3];
        var destination = new float[2];

        Assert.Throws<ArgumentException>(() => BoxMath.Iou(boxes, boxes, destination));
    }
}
