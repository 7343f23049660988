using GroundingWeb.Evaluation.Metrics;

namespace GroundingWeb.Tests.Evaluation;

/// <summary>GREC-style "not in this image" metrics (issue 15), on cases worked out by hand.</summary>
public sealed class PresenceMetricsTests
{
    [Fact]
    public void AurocIsTheShareOfPositiveNegativePairsInOrderWithTiesHalf()
    {
        // Positives 0.9, 0.6, 0.4; negatives 0.5, 0.4, 0.1: pairs in order 3 + 3 + (1 + half a tie) = 7.5 of 9.
        var scores = new (bool, double)[] { (true, 0.9), (true, 0.6), (true, 0.4), (false, 0.5), (false, 0.4), (false, 0.1) };

        Assert.Equal(7.5 / 9, PresenceMetrics.Auroc(scores)!.Value, 12);
        Assert.Equal(1.0, PresenceMetrics.Auroc([(true, 0.8), (false, 0.2)]));
        Assert.Equal(0.0, PresenceMetrics.Auroc([(true, 0.2), (false, 0.8)]));
        Assert.Null(PresenceMetrics.Auroc([(true, 0.2), (true, 0.8)]));
    }

    [Fact]
    public void NoTargetAccuracyPrecisionAndTargetAccuracyCountVerdicts()
    {
        var summary = PresenceMetrics.Summarize(
        [
            (true, 0.9, true), (true, 0.3, false), (true, 0.8, true), (true, 0.7, true),
            (false, 0.2, false), (false, 0.6, true),
        ]);

        Assert.Equal((4, 2), (summary.Positives, summary.Negatives));
        Assert.Equal(0.5, summary.NoTargetAccuracy);
        Assert.Equal(0.75, summary.TargetAccuracy);
        Assert.Equal(0.5, summary.RejectionPrecision); // two rejections, one of them a negative
        Assert.Equal(summary.NoTargetAccuracy, summary.RejectionRecall);
        Assert.Equal(7.0 / 8, summary.Auroc!.Value, 12);
    }

    [Fact]
    public void AModelWithoutPresenceRejectsNothingAndHasNoAuroc()
    {
        var summary = PresenceMetrics.Summarize([(true, null, true), (false, null, true), (false, null, true)]);

        Assert.Equal(0, summary.NoTargetAccuracy);
        Assert.Equal(1, summary.TargetAccuracy);
        Assert.Null(summary.RejectionPrecision); // nothing rejected: no share to give
        Assert.False(summary.Scored);
        Assert.Null(summary.Auroc);
    }

    /// <summary>A presence model on a split without negatives (RefCOCO) has nothing to reject: N-acc is unknown, not 0 %.</summary>
    [Fact]
    public void ASplitWithOneKindHasNoNoTargetAccuracyNorAuroc()
    {
        var summary = PresenceMetrics.Summarize([(true, 0.9, true), (true, 0.2, false)]);

        Assert.Null(summary.NoTargetAccuracy);
        Assert.Null(summary.RejectionRecall);
        Assert.Equal(0.5, summary.TargetAccuracy);
        Assert.Equal(0, summary.RejectionPrecision);
        Assert.True(summary.Scored);
        Assert.Null(summary.Auroc);
    }

    [Fact]
    public void TheRocCurveRunsFromTheOriginToTheCornerAndTheBestThresholdSeparates()
    {
        var scores = new (bool, double)[] { (true, 0.9), (true, 0.8), (false, 0.3), (false, 0.2), (true, 0.25) };

        var curve = PresenceMetrics.RocCurve(scores);

        Assert.Equal((0.0, 0.0), (curve[0].FalsePositiveRate, curve[0].TruePositiveRate));
        Assert.Equal((1.0, 1.0), (curve[^1].FalsePositiveRate, curve[^1].TruePositiveRate));
        Assert.Equal(0.8, PresenceMetrics.BestThreshold(scores));
    }
}
