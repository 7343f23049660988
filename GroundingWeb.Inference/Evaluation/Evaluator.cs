using System.Diagnostics;
using GroundingWeb.Inference.Datasets;
using GroundingWeb.Inference.Geometry;
using GroundingWeb.Inference.Imaging;
using GroundingWeb.Inference.Metrics;
using GroundingWeb.Inference.Pipeline;

namespace GroundingWeb.Inference.Evaluation;

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
        var chunk = pipeline.MaxPromptsPerImage;
        var done = 0;
        for (var i = 0; i < images.Count; i++)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var group = images[i].ToList();
            try
            {
                var bytes = File.ReadAllBytes(images[i].Key);
                foreach (var part in group.Chunk(chunk))
                {
                    var result = pipeline.Ground(bytes, part.Select(x => x.Sample.Expression).ToArray(), cancellationToken);
                    for (var k = 0; k < part.Length; k++)
                    {
                        var predicted = result.Predictions[k].PixelBox;
                        results.Add(new SampleResult
                        {
                            Sample = part[k].Sample,
                            Predicted = predicted,
                            Iou = BoxMath.Iou(predicted, part[k].Sample.Box),
                        });
                    }
                }
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or ImageDecodeException or GroundingInputException)
            {
                // One bad image or expression must not sink a run over thousands: report it and go on.
                failed.AddRange(group.Select(x => new SkippedRow(x.Sample.ImagePath, x.Row, ex.Message)));
            }
            done += group.Count;
            progress?.Report(new EvaluationProgress(done, samples.Count, i + 1, images.Count, clock.Elapsed));
        }
        return Summarize(results, failed, clock.Elapsed);
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
