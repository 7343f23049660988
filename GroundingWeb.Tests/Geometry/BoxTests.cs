using GroundingWeb.Inference.Geometry;

namespace GroundingWeb.Tests.Geometry;

public class BoxTests
{
    [Theory]
    [InlineData(0f, 0f, 4f, 3f, 4f, 3f, 12f, false)]
    [InlineData(1.5f, 2f, 3f, 2.5f, 1.5f, 0.5f, 0.75f, false)]
    [InlineData(2f, 2f, 2f, 5f, 0f, 3f, 0f, true)]              // zero width
    [InlineData(1f, 1f, 1f, 1f, 0f, 0f, 0f, true)]              // a point
    [InlineData(5f, 5f, 1f, 1f, 0f, 0f, 0f, true)]              // inverted in both axes
    [InlineData(0f, 5f, 4f, 1f, 4f, 0f, 0f, true)]              // inverted in y only
    [InlineData(0f, 0f, 4f, float.NaN, 4f, 0f, 0f, true)]       // NaN reads as empty, not NaN area
    public void ExtentsAreNeverNegative(float x1, float y1, float x2, float y2, float width, float height, float area, bool empty)
    {
        var box = new Box(x1, y1, x2, y2);

        Assert.Equal(width, box.Width);
        Assert.Equal(height, box.Height);
        Assert.Equal(area, box.Area);
        Assert.Equal(empty, box.IsEmpty);
    }

    [Fact]
    public void FromXywhAddsSizeToCorner()
    {
        // (10, 20) + (30, 40) -> (10, 20, 40, 60)
        Assert.Equal(new Box(10f, 20f, 40f, 60f), Box.FromXywh(10f, 20f, 30f, 40f));
    }

    [Fact]
    public void FromCxcywhSpreadsHalfTheSizeAroundTheCentre()
    {
        // centre (50, 50), size (20, 10) -> x 50 -+ 10, y 50 -+ 5
        Assert.Equal(new Box(40f, 45f, 60f, 55f), Box.FromCxcywh(50f, 50f, 20f, 10f));
    }

    [Fact]
    public void ToXywhAndToCxcywhNameTheirElements()
    {
        var box = new Box(10f, 20f, 40f, 60f);

        var (x, y, w, h) = box.ToXywh();
        var centre = box.ToCxcywh();

        Assert.Equal((10f, 20f, 30f, 40f), (x, y, w, h));
        Assert.Equal(25f, centre.Cx);   // (10 + 40) / 2
        Assert.Equal(40f, centre.Cy);   // (20 + 60) / 2
        Assert.Equal(30f, centre.W);
        Assert.Equal(40f, centre.H);
    }

    [Theory]
    [InlineData(10f, 20f, 40f, 60f)]
    [InlineData(0f, 0f, 0f, 0f)]
    [InlineData(-3.5f, 2.25f, 7.75f, 9.5f)]
    [InlineData(0.125f, 0.25f, 0.625f, 0.875f)]
    [InlineData(5f, 5f, 1f, 2f)]    // inverted: raw differences keep the round trip lossless
    public void ConversionsRoundTrip(float x1, float y1, float x2, float y2)
    {
        var box = new Box(x1, y1, x2, y2);

        var xywh = box.ToXywh();
        var cxcywh = box.ToCxcywh();

        Assert.Equal(box, Box.FromXywh(xywh.X, xywh.Y, xywh.W, xywh.H));
        Assert.Equal(box, Box.FromCxcywh(cxcywh.Cx, cxcywh.Cy, cxcywh.W, cxcywh.H));
    }

    [Theory]
    [InlineData(-5f, -5f, 50f, 30f, 0f, 0f, 40f, 20f)]     // spills over every side
    [InlineData(5f, 5f, 10f, 10f, 5f, 5f, 10f, 10f)]       // inside: unchanged
    [InlineData(50f, 5f, 60f, 10f, 40f, 5f, 40f, 10f)]     // wholly right of the image: collapses to the edge
    [InlineData(-10f, -10f, -1f, -1f, 0f, 0f, 0f, 0f)]     // wholly above-left: collapses to the origin
    public void ClampClipsToTheImage(float x1, float y1, float x2, float y2, float ex1, float ey1, float ex2, float ey2)
    {
        var clamped = new Box(x1, y1, x2, y2).Clamp(40f, 20f);

        Assert.Equal(new Box(ex1, ey1, ex2, ey2), clamped);
    }

    [Fact]
    public void ClampOfABoxOutsideTheImageIsEmpty()
    {
        Assert.True(new Box(50f, 5f, 60f, 10f).Clamp(40f, 20f).IsEmpty);
    }

    [Theory]
    [InlineData(-1f, 10f)]
    [InlineData(10f, -1f)]
    [InlineData(float.NaN, 10f)]
    public void ClampRejectsAnImpossibleImageSize(float width, float height)
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => new Box(0f, 0f, 1f, 1f).Clamp(width, height));
    }

    [Theory]
    [InlineData(0.25f, 0.5f, 0.75f, 1f, 200f, 100f, 50f, 50f, 150f, 100f)]    // normalised -> pixels
    [InlineData(50f, 50f, 150f, 100f, 0.005f, 0.01f, 0.25f, 0.5f, 0.75f, 1f)] // pixels -> normalised (approximately)
    [InlineData(1f, 2f, 3f, 4f, 1f, 1f, 1f, 2f, 3f, 4f)]                      // identity
    public void ScaleMultipliesEachAxis(float x1, float y1, float x2, float y2, float sx, float sy, float ex1, float ey1, float ex2, float ey2)
    {
        var scaled = new Box(x1, y1, x2, y2).Scale(sx, sy);

        Assert.Equal(ex1, scaled.X1, 1e-5f);
        Assert.Equal(ey1, scaled.Y1, 1e-5f);
        Assert.Equal(ex2, scaled.X2, 1e-5f);
        Assert.Equal(ey2, scaled.Y2, 1e-5f);
    }
}
