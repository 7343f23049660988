using GroundingWeb.Evaluation;

namespace GroundingWeb.Cli.Commands;

/// <summary>The evaluation report as a person reads it in a terminal.</summary>
internal static class EvaluationText
{
    public static void Print(TextWriter o, string model, string dataset, string split, EvaluationReport report, int skippedRows)
    {
        var s = report.Summary;
        o.WriteLine($"model {model} on {dataset} [{split}]: {s.Count} samples in {report.Elapsed.TotalSeconds:F1} s" +
                    $" ({s.Count / Math.Max(report.Elapsed.TotalSeconds, 1e-9):F1} samples/s)");
        o.WriteLine($"  Acc@0.5  {s.AccuracyAt50,7:P2}   (headline)");
        o.WriteLine($"  Acc@0.75 {s.AccuracyAt75,7:P2}");
        o.WriteLine($"  mean IoU {s.MeanIou,7:F4}");
        o.WriteLine($"  COCO AP@50 {s.CocoAp50:F4}, AP@75 {s.CocoAp75:F4} (as the reference computes its \"mAP@50/75\")");
        if (report.Presence is { } p)
        {
            // "Not in this image", GREC-style: the box metrics above are over the samples that have a target.
            var auroc = p.Auroc?.ToString("F4", System.Globalization.CultureInfo.InvariantCulture) ?? (p.Scored ? "- (needs samples with and without a target)" : "- (no presence output)");
            o.WriteLine($"  no-target: {p.Negatives} of {p.Positives + p.Negatives} samples refer to nothing; N-acc {Share(p.NoTargetAccuracy)} (rejected), " +
                        $"T-acc {Share(p.TargetAccuracy)} (accepted), rejection precision {Share(p.RejectionPrecision)}, AUROC {auroc}");
        }
        if (report.Failed.Count > 0 || skippedRows > 0)
        {
            o.WriteLine($"  not evaluated: {skippedRows} rows skipped by the reader, {report.Failed.Count} samples failed");
        }
        Table(o, "box size", report.ByBoxSize);
        Table(o, "expression length", report.ByExpressionLength);
        if (report.ByKind.Count > 1 || report.ByKind.FirstOrDefault()?.Group != "(none)") Table(o, "kind", report.ByKind);
        Table(o, "category", report.ByCategory.OrderByDescending(r => r.Count).Take(15).ToList());
    }

    private static void Table(TextWriter o, string title, IReadOnlyList<BreakdownRow> rows)
    {
        o.WriteLine($"  by {title}:");
        foreach (var r in rows)
        {
            o.WriteLine($"    {r.Group,-20} n={r.Count,6}  Acc@0.5 {r.AccuracyAt50,7:P1}  Acc@0.75 {r.AccuracyAt75,7:P1}  mIoU {r.MeanIou:F3}");
        }
    }

    /// <summary>A share as a percentage, or "-" where it has nothing to count (no negatives, no rejections).</summary>
    private static string Share(double? share) => share is { } value ? value.ToString("P2", System.Globalization.CultureInfo.InvariantCulture) : "-";
}
