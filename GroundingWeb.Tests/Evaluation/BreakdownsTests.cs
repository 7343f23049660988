using GroundingWeb.Evaluation.Datasets;
using GroundingWeb.Evaluation;
using GroundingWeb.Inference.Geometry;

namespace GroundingWeb.Tests.Evaluation;

public sealed class BreakdownsTests
{
    [Theory]
    [InlineData(0f, "small (<32²)")]
    [InlineData(1023.9f, "small (<32²)")]
    [InlineData(1024f, "medium (32²-96²)")]
    [InlineData(9215f, "medium (32²-96²)")]
    [InlineData(9216f, "large (≥96²)")]
    public void BoxSizeUsesCocoAreaRanges(float area, string expected) =>
        Assert.Equal(expected, Breakdowns.BoxSizeBucket(area));

    [Theory]
    [InlineData("cat", "1-2 words")]
    [InlineData("  the   cat ", "1-2 words")]
    [InlineData("the cat on the", "3-4 words")]
    [InlineData("man in red shirt on left", "5-6 words")]
    [InlineData("the second man from the left side", "7+ words")]
    public void LengthCountsWords(string expression, string expected) =>
        Assert.Equal(expected, Breakdowns.LengthBucket(expression));

    [Fact]
    public void GroupsHandMadeResults()
    {
        // Two small boxes (IoU 1.0 and 0.6) and one large (IoU 0.2):
        // small: n=2, mean 0.8, Acc@0.5 = 2/2, Acc@0.75 = 1/2; large: n=1, mean 0.2, both accuracies 0.
        SampleResult R(float side, float iou) => new()
        {
            Sample = new GroundingSample { ImagePath = "x.png", Expression = "e", Box = new Box(0, 0, side, side), Split = "val" },
            Predicted = new Box(0, 0, 1, 1),
            Iou = iou,
        };
        var results = new[] { R(10, 1.0f), R(200, 0.2f), R(20, 0.6f) };

        var rows = Breakdowns.GroupBy(results, r => Breakdowns.BoxSizeBucket(r.Sample.Box.Area), Breakdowns.BoxSizeOrder);

        Assert.Equal(2, rows.Count);
        Assert.Equal(new BreakdownRow("small (<32²)", 2, 0.8, 1.0, 0.5), rows[0] with { MeanIou = Math.Round(rows[0].MeanIou, 6) });
        Assert.Equal(new BreakdownRow("large (≥96²)", 1, 0.2, 0.0, 0.0), rows[1] with { MeanIou = Math.Round(rows[1].MeanIou, 6) });
    }
}
