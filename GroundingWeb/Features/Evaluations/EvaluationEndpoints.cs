using System.Text;
using System.Text.Json;
using GroundingWeb.Features.Accounts;
using GroundingWeb.Inference.Hosting;
using GroundingWeb.Inference.Imaging;
using GroundingWeb.Shared;
using GroundingWeb.Components;
using GroundingWeb.Evaluation.Datasets;

namespace GroundingWeb.Features.Evaluations;

/// <summary>Downloads of a run's results and the dataset images its dashboard shows.</summary>
public static class EvaluationEndpoints
{
    public static void MapEvaluationEndpoints(this IEndpointRouteBuilder app)
    {
        var runs = app.MapGroup("/evaluations/{id:long}").RequireAuthorization(Policies.Member).ExcludeFromDescription()
            .WithMetadata(new AnswersWithStatusCodes());

        runs.MapGet("/results.csv", async (long id, EvaluationQueries queries) =>
        {
            var run = await queries.RunAsync(id);
            if (run is null) return Results.NotFound();
            var csv = EvaluationQueries.Csv(await queries.ResultsAsync(id));
            return Results.File(Encoding.UTF8.GetBytes(csv), "text/csv", $"evaluation-{id}-{run.Split}.csv");
        });

        runs.MapGet("/results.json", async (long id, EvaluationQueries queries) =>
        {
            var run = await queries.RunAsync(id);
            if (run is null) return Results.NotFound();
            var rows = await queries.ResultsAsync(id);
            var data = RunAggregations.Dashboard(rows, worst: 0);
            var document = new
            {
                run = new { run.Id, model = run.ModelName, version = run.ModelVersion, dataset = run.Dataset?.Name, run.Split, run.Limit, status = run.Status.ToString(), run.Seconds },
                summary = data.Summary, histogram = data.Histogram, byBoxSize = data.ByBoxSize, byExpressionLength = data.ByExpressionLength,
                byCategory = data.ByCategory, byKind = data.ByKind,
                // Box metrics above are over samples with a target; presence (null without a presence output) over all.
                presence = data.Presence?.Summary,
                results = rows.Select(r => new
                {
                    r.Row, image = r.ImageName, r.Expression, r.Kind, r.Category, hasTarget = r.HasTarget,
                    truth = r.HasTarget ? new[] { r.TruthX1, r.TruthY1, r.TruthX2, r.TruthY2 } : null,
                    predicted = new[] { r.PredictedX1, r.PredictedY1, r.PredictedX2, r.PredictedY2 },
                    iou = r.HasTarget ? r.Iou : (float?)null, r.Presence, r.Found, r.Failure,
                }),
            };
            return Results.File(JsonSerializer.SerializeToUtf8Bytes(document, GroundingJson.Indented), "application/json", $"evaluation-{id}-{run.Split}.json");
        });

        // The path comes from the stored result, never from the URL; it must still lie inside the folder the
        // run confined it to (a link swapped since is refused), and since a file may be anything, only what
        // decodes as an image is sent, re-encoded, never the file's own bytes.
        runs.MapGet("/samples/{row:int}/image", async (long id, int row, EvaluationQueries queries, GroundingEngine engine) =>
        {
            var result = await queries.ResultAsync(id, row);
            if (result?.ImageRoot is null) return Results.NotFound();
            try
            {
                var bytes = await Task.Run(() => DatasetImages.Read(result.ImagePath, result.ImageRoot));
                var decoded = ImageDecoder.Decode(bytes, engine.ImageLimits);
                return Results.File(ImagePreview.Jpeg(decoded, ImagePreview.MaxSide), "image/jpeg");
            }
            catch (Exception ex) when (ex is ImageDecodeException or InvalidDataException or IOException or UnauthorizedAccessException)
            {
                return Results.NotFound();
            }
        });
    }
}
