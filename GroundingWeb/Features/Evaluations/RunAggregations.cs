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
    IReadOnlyList<EvaluationSampleResult> Worst);

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
        return new RunDashboardData(report.Summary, Histogram(rows.Select(r => r.Iou)), report.ByBoxSize, report.ByExpressionLength,
            report.ByCategory, report.ByKind, rows.OrderBy(r => r.Iou).ThenBy(r => r.Row).Take(worst).ToList());
    }

    public static SampleResult ToSampleResult(EvaluationSampleResult row) => new()
    {
        Sample = new GroundingSample
        {
            ImagePath = row.ImagePath, Expression = row.Expression, Box = row.Truth, Split = "", Kind = row.Kind, Category = row.Category,
            ImageWidth = row.ImageWidth, ImageHeight = row.ImageHeight,
        },
        Predicted = row.Predicted,
        Iou = row.Iou,
    };
}
