using GroundingWeb.Data;
using GroundingWeb.Inference.Geometry;
using GroundingWeb.Features.Review;

namespace GroundingWeb.Tests.Review;

public sealed class AgreementTests
{
    private static readonly DateTimeOffset T0 = new(2026, 11, 27, 12, 0, 0, TimeSpan.Zero);

    private static PredictionReview R(string who, Verdict verdict, Box? box = null, int minute = 0) => new()
    {
        ReviewerId = who, ReviewerName = who, Verdict = verdict, X1 = box?.X1, Y1 = box?.Y1, X2 = box?.X2, Y2 = box?.Y2,
        CreatedAt = T0.AddMinutes(minute), UpdatedAt = T0.AddMinutes(minute),
    };

    private static PredictionRecord Prediction => new()
    {
        ImageSha256 = new string('a', 64), Prompt = "p", X1 = 10, Y1 = 10, X2 = 50, Y2 = 50, ModelName = "m", ModelVersion = "1", Provider = "CPU",
    };

    [Fact]
    public void NoReviewsMeansNoMajority()
    {
        var agreement = Agreement.Of([]);

        Assert.Equal((0, (Verdict?)null, 0.0), (agreement.Reviews, agreement.Majority, agreement.MajorityShare));
        Assert.Null(Agreement.AcceptedBox(Prediction, []));
    }

    [Fact]
    public void MajorityAndItsShareCountVerdicts()
    {
        var agreement = Agreement.Of([R("a", Verdict.Correct), R("b", Verdict.Correct), R("c", Verdict.Incorrect)]);

        Assert.Equal((3, 2, 1, 0), (agreement.Reviews, agreement.Correct, agreement.Incorrect, agreement.Fixed));
        Assert.Equal(Verdict.Correct, agreement.Majority);
        Assert.Equal(2.0 / 3, agreement.MajorityShare, 12);
        Assert.Null(agreement.MeanPairwiseIouOfFixes);
    }

    [Fact]
    public void ATieGoesToTheLatestVerdict()
    {
        Assert.Equal(Verdict.Incorrect, Agreement.Of([R("a", Verdict.Correct, minute: 1), R("b", Verdict.Incorrect, minute: 2)]).Majority);
        Assert.Equal(Verdict.Correct, Agreement.Of([R("a", Verdict.Correct, minute: 3), R("b", Verdict.Incorrect, minute: 2)]).Majority);
    }

    [Fact]
    public void FixedBoxesAgreeByTheirMeanPairwiseIou()
    {
        // Boxes 0-10, 5-15 (IoU 25/175) and 0-10 again (IoU 1 with the first).
        var agreement = Agreement.Of([
            R("a", Verdict.Fixed, new Box(0, 0, 10, 10)), R("b", Verdict.Fixed, new Box(5, 5, 15, 15)), R("c", Verdict.Fixed, new Box(0, 0, 10, 10))]);

        Assert.Equal((1.0 + 25.0 / 175 + 25.0 / 175) / 3, agreement.MeanPairwiseIouOfFixes!.Value, 6);
    }

    [Fact]
    public void AcceptedBoxIsTheModelsWhenCorrectTheMeanFixWhenFixedAndNoneWhenIncorrect()
    {
        Assert.Equal(new Box(10, 10, 50, 50), Agreement.AcceptedBox(Prediction, [R("a", Verdict.Correct)]));
        Assert.Equal(new Box(2, 4, 22, 24), Agreement.AcceptedBox(Prediction,
            [R("a", Verdict.Fixed, new Box(0, 0, 20, 20)), R("b", Verdict.Fixed, new Box(4, 8, 24, 28)), R("c", Verdict.Correct)]));
        Assert.Null(Agreement.AcceptedBox(Prediction, [R("a", Verdict.Incorrect), R("b", Verdict.Incorrect), R("c", Verdict.Correct)]));
    }

    /// <summary>
    /// Correct judges the model's answer: on a prediction the model rejected ("not in this image") it agrees
    /// that there is nothing, as Not in image does; on one it found, it accepts the box.
    /// </summary>
    [Fact]
    public void CorrectOnARejectedPredictionIsANoTargetSample()
    {
        var found = Prediction;
        found.Presence = 0.9;
        found.Found = true;
        var rejected = Prediction;
        rejected.Presence = 0.2;
        rejected.Found = false;
        PredictionReview[] correct = [R("a", Verdict.Correct)];

        Assert.Equal((false, new Box(10, 10, 50, 50)), (Agreement.IsNoTarget(found, correct), Agreement.AcceptedBox(found, correct)));
        Assert.Equal((true, (Box?)null), (Agreement.IsNoTarget(rejected, correct), Agreement.AcceptedBox(rejected, correct)));
        Assert.True(Agreement.IsNoTarget(found, [R("a", Verdict.NotInImage)]));
        // Without a presence output (Found null) Correct is the box, as before.
        Assert.False(Agreement.IsNoTarget(Prediction, correct));
        // A fix says the phrase is there, whatever the model said.
        PredictionReview[] fixedBox = [R("a", Verdict.Fixed, new Box(1, 2, 3, 4))];
        Assert.Equal((false, new Box(1, 2, 3, 4)), (Agreement.IsNoTarget(rejected, fixedBox), Agreement.AcceptedBox(rejected, fixedBox)));
    }
}
