using GroundingWeb.Data;
using GroundingWeb.Inference.Geometry;

namespace GroundingWeb.Features.Review;

/// <summary>Which predictions the queue offers: those the reviewer has not judged yet, narrowed by these.</summary>
public sealed record ReviewQueueFilter
{
    public string? Model { get; init; }
    public string? PromptContains { get; init; }
    public DateOnly? From { get; init; }
    public DateOnly? To { get; init; }

    /// <summary>User name of whoever made the prediction; <see cref="Services.HistoryQuery.AnonymousUser"/> for anonymous ones.</summary>
    public string? Uploader { get; init; }
}

/// <summary>How far reviewers agree on one prediction.</summary>
public sealed record Agreement(
    int Reviews, int Correct, int Incorrect, int Fixed, Verdict? Majority, double MajorityShare, double? MeanPairwiseIouOfFixes, int NotInImage = 0)
{
    public static Agreement Of(IReadOnlyList<PredictionReview> reviews)
    {
        if (reviews.Count == 0)
        {
            return new Agreement(0, 0, 0, 0, null, 0, null);
        }
        var counts = reviews.GroupBy(r => r.Verdict).ToDictionary(g => g.Key, g => g.Count());
        // Ties go to the most recent verdict among the tied ones.
        var top = counts.Values.Max();
        var majority = reviews.Where(r => counts[r.Verdict] == top).MaxBy(r => r.UpdatedAt)!.Verdict;
        var fixes = reviews.Where(r => r.CorrectedBox is not null).Select(r => r.CorrectedBox!.Value).ToList();
        double? pairwise = null;
        if (fixes.Count >= 2)
        {
            var ious = new List<double>();
            for (var i = 0; i < fixes.Count; i++)
            for (var j = i + 1; j < fixes.Count; j++)
            {
                ious.Add(BoxMath.Iou(fixes[i], fixes[j]));
            }
            pairwise = ious.Average();
        }
        return new Agreement(reviews.Count, counts.GetValueOrDefault(Verdict.Correct), counts.GetValueOrDefault(Verdict.Incorrect),
            counts.GetValueOrDefault(Verdict.Fixed), majority, (double)top / reviews.Count, pairwise, counts.GetValueOrDefault(Verdict.NotInImage));
    }

    /// <summary>
    /// Whether the team says the phrase names nothing in the image (a no-target sample for exports): a
    /// Not in image majority, or a Correct majority on a prediction the model itself rejected (Correct
    /// judges the model's answer, and that answer was "not in this image").
    /// </summary>
    public static bool IsNoTarget(PredictionRecord prediction, IReadOnlyList<PredictionReview> reviews) => Of(reviews).Majority switch
    {
        Verdict.NotInImage => true,
        Verdict.Correct => prediction.Found == false,
        _ => false,
    };

    /// <summary>
    /// The box the team accepts: the model's when the majority says Correct (and the model found the
    /// phrase), the mean of the corrected boxes when it says Fixed, none when it says Incorrect (the right
    /// box is unknown) or when there is none (see <see cref="IsNoTarget"/>).
    /// </summary>
    public static Box? AcceptedBox(PredictionRecord prediction, IReadOnlyList<PredictionReview> reviews)
    {
        var agreement = Of(reviews);
        switch (agreement.Majority)
        {
            case Verdict.Correct:
                return prediction.Found == false ? null : prediction.PixelBox;
            case Verdict.Fixed:
                var fixes = reviews.Where(r => r.Verdict == Verdict.Fixed && r.CorrectedBox is not null).Select(r => r.CorrectedBox!.Value).ToList();
                return new Box(fixes.Average(b => b.X1), fixes.Average(b => b.Y1), fixes.Average(b => b.X2), fixes.Average(b => b.Y2));
            default:
                return null;
        }
    }
}

/// <summary>A reviewer's own numbers.</summary>
public sealed record ReviewerStatistics(
    int Total, int Correct, int Incorrect, int Fixed, int Today, double? MeanIouOfFixes, int SharedWithOthers, double? AgreementWithMajority, int NotInImage = 0);
