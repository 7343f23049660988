namespace GroundingWeb.Evaluation.Metrics;

/// <summary>
/// How well a model says "not in this image", GREC-style: over samples whose expression refers to
/// something (positives) and to nothing (negatives, no-target), with the model's presence probability
/// and its verdict at the bundle's threshold. A model without a presence output always draws a box: it
/// rejects nothing, so its no-target accuracy is 0 and it has no AUROC.
/// </summary>
public sealed record PresenceSummary
{
    public required int Positives { get; init; }
    public required int Negatives { get; init; }

    /// <summary>N-acc: share of negatives rejected (the model said "not in this image"); null when there are none to reject.</summary>
    public required double? NoTargetAccuracy { get; init; }

    /// <summary>T-acc: share of positives accepted (the model said "found"; 1 for a model without presence); null when there are none.</summary>
    public required double? TargetAccuracy { get; init; }

    /// <summary>Of the rejections, the share that were negatives; null when nothing was rejected.</summary>
    public required double? RejectionPrecision { get; init; }

    /// <summary>Of the negatives, the share rejected (the same number as <see cref="NoTargetAccuracy"/>, named as retrieval names it).</summary>
    public double? RejectionRecall => NoTargetAccuracy;

    /// <summary>Whether the model gave presence scores at all (false: no presence output, a box for every phrase).</summary>
    public bool Scored { get; init; }

    /// <summary>
    /// Area under the ROC curve of the presence probability (positives above negatives) over the samples the
    /// model answered (a failed sample has no score, while N-acc and T-acc count it as wrong); null without
    /// scores or without both classes.
    /// </summary>
    public double? Auroc { get; init; }
}

public static class PresenceMetrics
{
    /// <param name="samples">Per sample: whether it has a target, its presence probability (null: the model has none) and whether the model said found.</param>
    public static PresenceSummary Summarize(IReadOnlyList<(bool HasTarget, double? Presence, bool Found)> samples)
    {
        var positives = samples.Count(s => s.HasTarget);
        var negatives = samples.Count - positives;
        var rejected = samples.Count(s => !s.Found);
        var rejectedNegatives = samples.Count(s => !s.Found && !s.HasTarget);
        // Samples that failed have no score: the curve is over those the model answered.
        var scored = samples.Where(s => s.Presence is not null).Select(s => (s.HasTarget, s.Presence!.Value)).ToList();
        return new PresenceSummary
        {
            Positives = positives,
            Negatives = negatives,
            NoTargetAccuracy = negatives == 0 ? null : (double)rejectedNegatives / negatives,
            TargetAccuracy = positives == 0 ? null : (double)samples.Count(s => s.HasTarget && s.Found) / positives,
            RejectionPrecision = rejected == 0 ? null : (double)rejectedNegatives / rejected,
            Scored = scored.Count > 0,
            Auroc = Auroc(scored),
        };
    }

    /// <summary>
    /// The probability that a random positive scores above a random negative (ties count half): the
    /// Mann-Whitney statistic, from ranks. Null unless both classes are present.
    /// </summary>
    public static double? Auroc(IReadOnlyList<(bool Positive, double Score)> samples)
    {
        var positives = samples.Count(s => s.Positive);
        var negatives = samples.Count - positives;
        if (positives == 0 || negatives == 0)
        {
            return null;
        }
        var ordered = samples.OrderBy(s => s.Score).ToList();
        double positiveRankSum = 0;
        for (var i = 0; i < ordered.Count;)
        {
            var j = i;
            var tiedPositives = 0;
            while (j < ordered.Count && ordered[j].Score.Equals(ordered[i].Score))
            {
                tiedPositives += ordered[j].Positive ? 1 : 0;
                j++;
            }
            var averageRank = (i + 1 + j) / 2.0; // ranks i+1 .. j share their mean
            positiveRankSum += averageRank * tiedPositives;
            i = j;
        }
        return (positiveRankSum - positives * (positives + 1) / 2.0) / ((double)positives * negatives);
    }

    /// <summary>The ROC curve's points (false positive rate, true positive rate) from the highest threshold down, for the dashboard.</summary>
    public static IReadOnlyList<(double FalsePositiveRate, double TruePositiveRate, double Threshold)> RocCurve(IReadOnlyList<(bool Positive, double Score)> samples)
    {
        var positives = samples.Count(s => s.Positive);
        var negatives = samples.Count - positives;
        if (positives == 0 || negatives == 0)
        {
            return [];
        }
        var points = new List<(double, double, double)> { (0, 0, double.PositiveInfinity) };
        int truePositives = 0, falsePositives = 0;
        foreach (var group in samples.GroupBy(s => s.Score).OrderByDescending(g => g.Key))
        {
            truePositives += group.Count(s => s.Positive);
            falsePositives += group.Count(s => !s.Positive);
            points.Add(((double)falsePositives / negatives, (double)truePositives / positives, group.Key));
        }
        return points;
    }

    /// <summary>The threshold that maximises balanced accuracy (Youden's J) over the scores: what training records for the bundle.</summary>
    public static double BestThreshold(IReadOnlyList<(bool Positive, double Score)> samples)
    {
        var curve = RocCurve(samples);
        if (curve.Count < 2)
        {
            return 0.5;
        }
        var best = curve.Skip(1).MaxBy(p => p.TruePositiveRate - p.FalsePositiveRate);
        return Math.Clamp(best.Threshold, 1e-3, 1 - 1e-3);
    }
}
