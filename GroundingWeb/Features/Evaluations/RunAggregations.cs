using GroundingWeb.Data;
using GroundingWeb.Evaluation.Datasets;
using GroundingWeb.Evaluation;
using GroundingWeb.Evaluation.Metrics;

namespace GroundingWeb.Features.Evaluations;

/// <summary>One bar of the IoU histogram: IoUs in [From, To) (the last bar includes 1).</summary>
public sealed record HistogramBin(double From, double To, int Count);

/// <summary>Everything a run's dashboard shows, computed from its stored per-sample results.</summary>
public sealed record RunDashboardData(
    MetricSummary Summary,
    IReadOnlyList<HistogramBin> Histogram,
    IReadOnlyList<BreakdownRow> ByBoxSize,
    IReadOnlyList<BreakdownRow> ByExpressionLength,
    IReadOnlyList<BreakdownRow> ByCategory,
    IReadOnlyList<BreakdownRow> ByKind,
    IReadOnlyList<EvaluationSampleResult> Worst,
    PresenceDashboard? Presence = null);

/// <summary>
/// "Not in this image" on a run's dashboard (issue 15): the GREC-style numbers, the ROC curve of the
/// presence score and its histogram for samples with and without a target.
/// </summary>
public sealed record PresenceDashboard(
    PresenceSummary Summary,
    IReadOnlyList<(double FalsePositiveRate, double TruePositiveRate)> Roc,
    IReadOnlyList<HistogramBin> PositiveScores,
    IReadOnlyList<HistogramBin> NegativeScores);

/// <summary>
/// Pure functions from stored results to the dashboard's numbers. They reuse the library's metric
/// and breakdown code, so a dashboard shows what <c>grounding evaluate</c> prints for the same samples.
/// </summary>
public static class RunAggregations
{
    public const int HistogramBins = 10;

    public static IReadOnlyList<HistogramBin> Histogram(IEnumerable<float> ious, int bins = HistogramBins)
    {
        var counts = new int[bins];
        foreach (var iou in ious)
        {
            var bin = (int)Math.Floor(Math.Clamp(iou, 0f, 1f) * bins);
            counts[Math.Min(bin, bins - 1)]++;
        }
        return counts.Select((count, i) => new HistogramBin((double)i / bins, (double)(i + 1) / bins, count)).ToList();
    }

    public static RunDashboardData Dashboard(IReadOnlyList<EvaluationSampleResult> rows, int worst = 12)
    {
        var results = rows.Select(ToSampleResult).ToList();
        var report = Evaluator.Summarize(results, [], TimeSpan.Zero);
        // IoU views are of the samples that have a box to hit; no-target ones have their own section.
        var positives = rows.Where(r => r.HasTarget).ToList();
        return new RunDashboardData(report.Summary, Histogram(positives.Select(r => r.Iou)), report.ByBoxSize, report.ByExpressionLength,
            report.ByCategory, report.ByKind, positives.OrderBy(r => r.Iou).ThenBy(r => r.Row).Take(worst).ToList(),
            report.Presence is { } presence ? PresenceView(presence, rows) : null);
    }

    private static PresenceDashboard PresenceView(PresenceSummary summary, IReadOnlyList<EvaluationSampleResult> rows)
    {
        var scored = rows.Where(r => r.Presence is not null).Select(r => (r.HasTarget, r.Presence!.Value)).ToList();
        var roc = PresenceMetrics.RocCurve(scored).Select(p => (p.FalsePositiveRate, p.TruePositiveRate)).ToList();
        return new PresenceDashboard(summary, roc,
            Histogram(scored.Where(s => s.HasTarget).Select(s => (float)s.Value)),
            Histogram(scored.Where(s => !s.HasTarget).Select(s => (float)s.Value)));
    }

    public static SampleResult ToSampleResult(EvaluationSampleResult row) => new()
    {
        Sample = new GroundingSample
        {
            ImagePath = row.ImagePath, Expression = row.Expression, Box = row.Truth, Split = "", Kind = row.Kind, Category = row.Category,
            ImageWidth = row.ImageWidth, ImageHeight = row.ImageHeight, HasTarget = row.HasTarget,
        },
        Predicted = row.Predicted,
        Iou = row.Iou,
        Presence = row.Presence,
        Found = row.Found,
    };
}
