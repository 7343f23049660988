using GroundingWeb.Evaluation.Metrics;

namespace GroundingWeb.Evaluation;

/// <summary>How results are grouped for error analysis; pure functions over the per-sample results.</summary>
public static class Breakdowns
{
    /// <summary>COCO's area ranges on the ground-truth box, in pixels of the original image.</summary>
    public static string BoxSizeBucket(float area) => area switch
    {
        < 32 * 32 => "small (<32²)",
        < 96 * 96 => "medium (32²-96²)",
        _ => "large (≥96²)",
    };

    public static readonly string[] BoxSizeOrder = ["small (<32²)", "medium (32²-96²)", "large (≥96²)"];

    public static int WordCount(string expression) =>
        expression.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries).Length;

    public static string LengthBucket(string expression) => WordCount(expression) switch
    {
        <= 2 => "1-2 words",
        <= 4 => "3-4 words",
        <= 6 => "5-6 words",
        _ => "7+ words",
    };

    public static readonly string[] LengthOrder = ["1-2 words", "3-4 words", "5-6 words", "7+ words"];

    /// <summary>Groups results by <paramref name="key"/>; <paramref name="order"/> fixes the row order (others follow by name).</summary>
    public static IReadOnlyList<BreakdownRow> GroupBy(IReadOnlyList<SampleResult> results, Func<SampleResult, string> key, IReadOnlyList<string>? order = null)
    {
        var rows = results
            .GroupBy(key)
            .Select(g =>
            {
                var ious = g.Select(r => r.Iou).ToArray();
                return new BreakdownRow(g.Key, ious.Length, GroundingMetrics.MeanIou(ious),
                    GroundingMetrics.AccuracyAt(ious, 0.5f), GroundingMetrics.AccuracyAt(ious, 0.75f));
            });
        return order is null
            ? rows.OrderBy(r => r.Group, StringComparer.Ordinal).ToList()
            : rows.OrderBy(r => order.Contains(r.Group) ? order.ToList().IndexOf(r.Group) : order.Count)
                  .ThenBy(r => r.Group, StringComparer.Ordinal).ToList();
    }
}
