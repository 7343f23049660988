using System.Diagnostics;
using GroundingWeb.Evaluation.Datasets;
using GroundingWeb.Inference.Geometry;
using GroundingWeb.Inference.Imaging;
using GroundingWeb.Evaluation.Metrics;
using GroundingWeb.Inference.Pipeline;

namespace GroundingWeb.Evaluation;

/// <summary>
/// Runs a bundle over dataset samples: each image is read and encoded once, and all of its
/// expressions go through the text encoder and fusion head together.
/// </summary>
public static class Evaluator
{
    public static EvaluationReport Run(GroundingPipeline pipeline, IReadOnlyList<GroundingSample> samples,
        IProgress<EvaluationProgress>? progress = null, CancellationToken cancellationToken = default)
    {
        var clock = Stopwatch.StartNew();
        var results = new List<SampleResult>(samples.Count);
        var failed = new List<SkippedRow>();
        var images = samples.Select((s, i) => (Sample: s, Row: i)).GroupBy(x => x.Sample.ImagePath).ToList();
        var done = 0;
        for (var i = 0; i < images.Count; i++)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var group = images[i].ToList();
            byte[]? bytes = null;
            try
            {
                bytes = File.ReadAllBytes(images[i].Key);
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
            {
                Fail(group, ex.Message);
            }
            // A refused expression fails alone; the rest of its image goes on in chunks the pipeline accepts.
            var refused = group.Where(x => pipeline.PromptProblem(x.Sample.Expression) is not null).ToList();
            if (bytes is not null)
            {
                refused.ForEach(x => Fail([x], $"Expression {pipeline.PromptProblem(x.Sample.Expression)}"));
            }
            foreach (var part in bytes is null ? [] : group.Except(refused).Chunk(pipeline.MaxPromptsPerImage))
            {
                try
                {
                    var result = pipeline.Ground(bytes!, part.Select(x => x.Sample.Expression).ToArray(), cancellationToken);
                    for (var k = 0; k < part.Length; k++)
                    {
                        var predicted = result.Predictions[k].PixelBox;
                        results.Add(new SampleResult { Sample = part[k].Sample, Predicted = predicted, Iou = BoxMath.Iou(predicted, part[k].Sample.Box) });
                    }
                }
                catch (Exception ex) when (ex is ImageDecodeException or GroundingInputException)
                {
                    Fail(part, ex.Message);
                }
            }
            done += group.Count;
            progress?.Report(new EvaluationProgress(done, samples.Count, i + 1, images.Count, clock.Elapsed));
        }
        return Summarize(results, failed, clock.Elapsed);

        void Fail(IEnumerable<(GroundingSample Sample, int Row)> rows, string reason)
        {
            foreach (var (sample, row) in rows)
            {
                failed.Add(new SkippedRow(sample.ImagePath, row, reason));
                // A sample the system could not answer counts as a miss: the metrics never look better
                // because inputs failed.
                results.Add(new SampleResult { Sample = sample, Predicted = default, Iou = 0f });
            }
        }
    }

    public static EvaluationReport Summarize(IReadOnlyList<SampleResult> results, IReadOnlyList<SkippedRow> failed, TimeSpan elapsed)
    {
        var ious = results.Select(r => r.Iou).ToArray();
        return new EvaluationReport
        {
            Results = results,
            Summary = GroundingMetrics.Summarize(ious),
            ByBoxSize = Breakdowns.GroupBy(results, r => Breakdowns.BoxSizeBucket(r.Sample.Box.Area), Breakdowns.BoxSizeOrder),
            ByExpressionLength = Breakdowns.GroupBy(results, r => Breakdowns.LengthBucket(r.Sample.Expression), Breakdowns.LengthOrder),
            ByCategory = Breakdowns.GroupBy(results, r => r.Sample.Category ?? "(none)"),
            ByKind = Breakdowns.GroupBy(results, r => r.Sample.Kind ?? "(none)"),
            Failed = failed,
            Elapsed = elapsed,
        };
    }
}
