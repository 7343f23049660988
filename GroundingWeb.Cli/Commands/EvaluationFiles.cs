using System.Text.Json;
using GroundingWeb.Evaluation;
using GroundingWeb.Shared;

namespace GroundingWeb.Cli.Commands;

/// <summary>Per-sample results (JSON Lines) and the summary (JSON), each written atomically.</summary>
internal static class EvaluationFiles
{
    private static readonly JsonSerializerOptions Json = GroundingJson.Compact;

    public static void WriteResults(string path, EvaluationReport report)
    {
        WriteAtomically(path, writer =>
        {
            foreach (var r in report.Results)
            {
                writer.WriteLine(JsonSerializer.Serialize(new
                {
                    // Relative to the dataset's folder: results files travel, server paths should not.
                    image = Evaluation.Datasets.DatasetImages.NameWithin(r.Sample.ImagePath, r.Sample.ImageRoot),
                    expression = r.Sample.Expression,
                    split = r.Sample.Split,
                    category = r.Sample.Category,
                    kind = r.Sample.Kind,
                    box = r.Sample.HasTarget ? new[] { r.Sample.Box.X1, r.Sample.Box.Y1, r.Sample.Box.X2, r.Sample.Box.Y2 } : null,
                    predicted = new[] { r.Predicted.X1, r.Predicted.Y1, r.Predicted.X2, r.Predicted.Y2 },
                    iou = r.Iou,
                    presence = r.Presence,
                    found = r.Found,
                }, Json));
            }
        });
    }

    public static void WriteSummary(string path, string model, string split, EvaluationReport report)
    {
        WriteAtomically(path, writer => writer.Write(JsonSerializer.Serialize(new
        {
            model,
            split,
            summary = report.Summary,
            presence = report.Presence,
            byBoxSize = report.ByBoxSize,
            byExpressionLength = report.ByExpressionLength,
            byKind = report.ByKind,
            byCategory = report.ByCategory,
            failed = report.Failed.Count,
            seconds = report.Elapsed.TotalSeconds,
        }, GroundingJson.Indented)));
    }

    private static void WriteAtomically(string path, Action<StreamWriter> write) => AtomicFile.Write(path, stream =>
    {
        using var writer = new StreamWriter(stream, leaveOpen: true);
        write(writer);
    });
}
