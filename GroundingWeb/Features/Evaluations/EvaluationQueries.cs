using System.Globalization;
using System.Text;
using GroundingWeb.Data;
using Microsoft.EntityFrameworkCore;

namespace GroundingWeb.Features.Evaluations;

/// <summary>Reads runs and their results for the pages and the downloads.</summary>
public sealed class EvaluationQueries(IDbContextFactory<AppDbContext> contexts)
{
    public async Task<IReadOnlyList<EvaluationRun>> RunsAsync(CancellationToken cancellationToken = default)
    {
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        return await db.EvaluationRuns.AsNoTracking().Include(r => r.Dataset).OrderByDescending(r => r.Id).ToListAsync(cancellationToken);
    }

    public async Task<EvaluationRun?> RunAsync(long id, CancellationToken cancellationToken = default)
    {
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        return await db.EvaluationRuns.AsNoTracking().Include(r => r.Dataset).FirstOrDefaultAsync(r => r.Id == id, cancellationToken);
    }

    public async Task<IReadOnlyList<EvaluationSampleResult>> ResultsAsync(long runId, CancellationToken cancellationToken = default)
    {
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        return await db.EvaluationResults.AsNoTracking().Where(r => r.RunId == runId).OrderBy(r => r.Row).ToListAsync(cancellationToken);
    }

    public async Task<EvaluationSampleResult?> ResultAsync(long runId, int row, CancellationToken cancellationToken = default)
    {
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        return await db.EvaluationResults.AsNoTracking().FirstOrDefaultAsync(r => r.RunId == runId && r.Row == row, cancellationToken);
    }

    /// <summary>
    /// The latest completed run per (model, dataset, split), for the per-split table: one row per
    /// model and dataset, one column per split.
    /// </summary>
    public static IReadOnlyList<(string Model, string Dataset, IReadOnlyDictionary<string, EvaluationRun> BySplit)> PerSplit(IEnumerable<EvaluationRun> runs) =>
        runs.Where(r => r.Status == RunStatus.Completed)
            .GroupBy(r => (Model: $"{r.ModelName} {r.ModelVersion}", Dataset: r.Dataset?.Name ?? r.DatasetId.ToString(CultureInfo.InvariantCulture)))
            .OrderBy(g => g.Key.Model).ThenBy(g => g.Key.Dataset)
            .Select(g => (g.Key.Model, g.Key.Dataset,
                (IReadOnlyDictionary<string, EvaluationRun>)g.GroupBy(r => r.Split).ToDictionary(s => s.Key, s => s.MaxBy(r => r.Id)!)))
            .ToList();

    public static string Csv(IEnumerable<EvaluationSampleResult> rows)
    {
        // A no-target sample has no truth box nor IoU: those cells stay empty so that nobody counts it as a miss;
        // without a presence output (no score) found is empty too rather than a claim the bundle never made.
        var csv = new StringBuilder("row,image,expression,kind,category,has_target,truth_x1,truth_y1,truth_x2,truth_y2,pred_x1,pred_y1,pred_x2,pred_y2,iou,presence,found,failure\n");
        foreach (var r in rows)
        {
            csv.AppendJoin(',',
                Field(r.Row), Quote(r.ImageName), Quote(r.Expression), Quote(r.Kind), Quote(r.Category), Field(r.HasTarget),
                Target(r, r.TruthX1), Target(r, r.TruthY1), Target(r, r.TruthX2), Target(r, r.TruthY2),
                Field(r.PredictedX1), Field(r.PredictedY1), Field(r.PredictedX2), Field(r.PredictedY2),
                Target(r, r.Iou), r.Presence is { } p ? p.ToString("R", CultureInfo.InvariantCulture) : "", r.Presence is null ? "" : Field(r.Found), Quote(r.Failure)).Append('\n');
        }
        return csv.ToString();
    }

    private static string Field(float value) => value.ToString("R", CultureInfo.InvariantCulture);

    private static string Field(int value) => value.ToString(CultureInfo.InvariantCulture);

    private static string Field(bool value) => value ? "true" : "false";

    private static string Target(EvaluationSampleResult row, float value) => row.HasTarget ? Field(value) : "";

    // RFC 4180: quote every text field, double the quotes inside; a leading = + - @ is defused for spreadsheets.
    private static string Quote(string? text)
    {
        if (text is null) return "";
        if (text.Length > 0 && "=+-@".Contains(text[0])) text = "'" + text;
        return "\"" + text.Replace("\"", "\"\"") + "\"";
    }
}
