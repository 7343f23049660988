using GroundingWeb.Evaluation.Metrics;

namespace GroundingWeb.Tests.Metrics;

public class GroundingMetricsTests
{
    private const double Tolerance = 1e-6;

    [Theory]
    [InlineData(new[] { 0.5f, 1f, 0f }, 0.5)]             // 1.5 / 3
    [InlineData(new[] { 0.25f }, 0.25)]
    [InlineData(new[] { 0.75f, 0.25f, 0.5f, 1f }, 0.625)]  // 2.5 / 4
    [InlineData(new float[0], 0.0)]                        // empty -> 0 by contract
    public void MeanIouIsTheArithmeticMean(float[] ious, double expected)
    {
        Assert.Equal(expected, GroundingMetrics.MeanIou(ious), Tolerance);
    }

    [Theory]
    [InlineData(new[] { 0.5f, 0.49f, 0.75f, 0.9f }, 0.5f, 0.75)]  // 0.5 counts (>=): 3 of 4
    [InlineData(new[] { 0.5f, 0.49f, 0.75f, 0.9f }, 0.75f, 0.5)]  // 0.75 and 0.9: 2 of 4
    [InlineData(new[] { 0.1f, 0.2f }, 0.5f, 0.0)]
    [InlineData(new[] { 1f, 1f }, 0.75f, 1.0)]
    [InlineData(new float[0], 0.5f, 0.0)]                         // empty -> 0 by contract
    public void AccuracyIsTheShareAtOrAboveTheThreshold(float[] ious, float threshold, double expected)
    {
        Assert.Equal(expected, GroundingMetrics.AccuracyAt(ious, threshold), Tolerance);
    }

    [Fact]
    public void SummarizeReportsEveryMetric()
    {
        // Hits at 0.5: samples 0 and 2; at 0.75: sample 0 only.
        // AP@50: TP [1,1,2,2] FP [0,1,1,2] over N 4 -> recall [.25,.25,.5,.5], precision [1,.5,2/3,.5],
        //   envelope [1,2/3,2/3,.5]; points 0..0.25 take 1 (26), 0.26..0.5 take 2/3 (25), the rest 0:
        //   (26 + 25 * 2/3) / 101 = 128/303.
        // AP@75: TP [1,1,1,1] -> recall .25 from the start, envelope 1 at index 0: (26 * 1) / 101.
        float[] ious = [0.8f, 0.2f, 0.6f, 0.4f];

        var summary = GroundingMetrics.Summarize(ious);

        Assert.Equal(4, summary.Count);
        Assert.Equal(0.5, summary.MeanIou, Tolerance);          // 2.0 / 4
        Assert.Equal(0.5, summary.AccuracyAt50, Tolerance);
        Assert.Equal(0.25, summary.AccuracyAt75, Tolerance);
        Assert.Equal(128.0 / 303, summary.CocoAp50, Tolerance);
        Assert.Equal(26.0 / 101, summary.CocoAp75, Tolerance);
    }

    [Fact]
    public void SummarizeOfNothingIsAllZeros()
    {
        var summary = GroundingMetrics.Summarize([]);

        Assert.Equal(
            new MetricSummary { Count = 0, MeanIou = 0, AccuracyAt50 = 0, AccuracyAt75 = 0, CocoAp50 = 0, CocoAp75 = 0 },
            summary);
    }

    [Fact]
    public void NaNIouIsRejected()
    {
        float[] ious = [0.5f, float.NaN];

        Assert.Throws<ArgumentException>(() => GroundingMetrics.MeanIou(ious));
        Assert.Throws<ArgumentException>(() => GroundingMetrics.AccuracyAt(ious, 0.5f));
        Assert.Throws<ArgumentException>(() => GroundingMetrics.Summarize(ious));
    }

    [Fact]
    public void NaNThresholdIsRejected()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => GroundingMetrics.AccuracyAt([0.5f], float.NaN));
    }
}
