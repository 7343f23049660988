using GroundingWeb.Evaluation.Metrics;

namespace GroundingWeb.Tests.Metrics;

public class CocoStyleApTests
{
    // pycocotools divides by (TP + FP + 2.2e-16), so a precision of 1 reads 1 - 2.2e-16.
    private const double Tolerance = 1e-9;

    // Recall points r_k = k/100, k = 0..100; each takes the right-to-left maximum of precision at
    // the first detection whose recall reaches r_k, 0 past the end; AP = their mean.
    [Theory]
    // TP [1,1] FP [0,1], N 2: recall [.5,.5], precision [1,.5] (already non-increasing).
    // r_0..r_50 (51 points) find index 0 -> 1; r_51.. are past the end -> 0. AP = 51/101.
    [InlineData(new[] { 0.9f, 0.1f }, 0.5f, 51.0 / 101)]
    // Same hits, other order: TP [0,1] FP [1,1], recall [0,.5], precision [0,.5] -> envelope [.5,.5].
    // r_0..r_50 -> .5; AP = 51 * .5 / 101. Order matters although Acc@0.5 is .5 both times.
    [InlineData(new[] { 0.1f, 0.9f }, 0.5f, 25.5 / 101)]
    // TP [1,1,2,2] FP [0,1,1,2], N 4: recall [.25,.25,.5,.5], precision [1,.5,2/3,.5] -> envelope [1,2/3,2/3,.5].
    // r_0..r_25 (26 points) -> index 0 -> 1; r_26..r_50 (25 points) -> index 2 -> 2/3. AP = (26 + 50/3)/101 = 128/303.
    [InlineData(new[] { 0.9f, 0.1f, 0.9f, 0.1f }, 0.5f, 128.0 / 303)]
    // At 0.75: TP [1,1,2] FP [0,1,1], N 3: recall [1/3,1/3,2/3], precision [1,.5,2/3] -> envelope [1,2/3,2/3].
    // r_0..r_33 (34 points, 0.33 <= 1/3) -> 1; r_34..r_66 (33 points, 0.66 <= 2/3) -> 2/3. AP = (34 + 22)/101 = 56/101.
    [InlineData(new[] { 0.8f, 0.6f, 0.9f }, 0.75f, 56.0 / 101)]
    [InlineData(new[] { 0.9f, 0.8f }, 0.5f, 1.0)]     // all hits: every point has precision 1
    [InlineData(new[] { 0.2f, 0.3f }, 0.5f, 0.0)]     // no hits: precision 0 everywhere
    [InlineData(new[] { 0.5f }, 0.5f, 1.0)]           // IoU equal to the threshold is a hit
    [InlineData(new[] { 1f }, 1f, 1.0)]               // threshold 1 is matched against 1 - 1e-10, as pycocotools does
    [InlineData(new float[0], 0.5f, 0.0)]             // empty -> 0 by contract (torchmetrics would say -1)
    public void ComputeMatchesHandWorkedCases(float[] ious, float threshold, double expected)
    {
        Assert.Equal(expected, CocoStyleAp.Compute(ious, threshold), Tolerance);
    }

    [Fact]
    public void RecallPointsUseNumpyLinspaceArithmetic()
    {
        // 35 hits then 65 misses, N 100: recall tops out at exactly 35/100 = 0.35 with precision 1.
        // numpy.linspace gives r_35 = 35 * 0.01 = 0.35000000000000003 > 0.35, so only r_0..r_34
        // (35 points) are reached: AP = 35/101, not the 36/101 that exact decimals would give.
        var ious = new float[100];
        ious.AsSpan(0, 35).Fill(0.9f);
        ious.AsSpan(35).Fill(0.1f);

        Assert.Equal(35.0 / 101, CocoStyleAp.Compute(ious, 0.5f), Tolerance);
    }

    [Theory]
    [InlineData(0.25)]
    [InlineData(0.5)]
    [InlineData(0.76)]
    [InlineData(0.9)]
    public void EvenlySpreadHitsGiveRoughlyTheSquareOfAccuracy(double accuracy)
    {
        // Hits spread evenly (sample i hits when floor((i+1)a) > floor(i a)) keep precision near a
        // at every recall up to a, so AP ~ a * a; the 101-point grid adds at most about a/101.
        const int count = 10_000;
        var ious = new float[count];
        for (var i = 0; i < count; i++)
        {
            ious[i] = Math.Floor((i + 1) * accuracy) > Math.Floor(i * accuracy) ? 0.9f : 0.1f;
        }

        var measuredAccuracy = GroundingMetrics.AccuracyAt(ious, 0.5f);
        var ap = CocoStyleAp.Compute(ious, 0.5f);

        Assert.Equal(accuracy, measuredAccuracy, 1e-9);
        Assert.InRange(ap, accuracy * accuracy - 0.005, accuracy * accuracy + 0.005);
    }

    [Fact]
    public void NaNIsRejected()
    {
        Assert.Throws<ArgumentException>(() => CocoStyleAp.Compute([0.9f, float.NaN], 0.5f));
        Assert.Throws<ArgumentOutOfRangeException>(() => CocoStyleAp.Compute([0.9f], float.NaN));
    }
}
