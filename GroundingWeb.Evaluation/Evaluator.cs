using System.Diagnostics;
using GroundingWeb.Evaluation.Datasets;
using GroundingWeb.Inference.Geometry;
using GroundingWeb.Inference.Imaging;
using GroundingWeb.Evaluation.Metrics;
using GroundingWeb.Inference.Pipeline;

namespace GroundingWeb.Evaluation;

/// <summary>
/// Runs a bundle over dataset samples: each image is read and encoded once, and all of its
/// expressions go through the text encoder and fusion head together. The next images are read,
/// decoded and preprocessed on the thread pool while the models run (<see cref="Prefetch"/>).
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
        var i = 0;
        // The next images are read, decoded and preprocessed while the models run on this one.
        foreach (var loaded in Prefetch.InOrder(images, g => Load(pipeline, g.Key, g.First().Sample.ImageRoot), cancellationToken: cancellationToken))
        {
            cancellationToken.ThrowIfCancellationRequested();
            var group = images[i].ToList();
            if (loaded.ReadError is { } readError)
            {
                Fail(group, readError);
            }
            // A refused expression fails alone; the rest of its image goes on in chunks the pipeline accepts.
            var refused = group.Where(x => pipeline.PromptProblem(x.Sample.Expression) is not null).ToList();
            if (loaded.ReadError is null)
            {
                refused.ForEach(x => Fail([x], $"Expression {pipeline.PromptProblem(x.Sample.Expression)}"));
            }
            foreach (var part in loaded.ReadError is not null ? [] : group.Except(refused).Chunk(pipeline.MaxPromptsPerImage))
            {
                try
                {
                    var prompts = part.Select(x => x.Sample.Expression).ToArray();
                    var result = loaded.Image is { } image ? pipeline.Ground(image, prompts, cancellationToken) : throw new ImageDecodeException(loaded.DecodeError!);
                    for (var k = 0; k < part.Length; k++)
                    {
                        var prediction = result.Predictions[k];
                        var sample = part[k].Sample;
                        results.Add(new SampleResult
                        {
                            Sample = sample, Predicted = prediction.PixelBox, Iou = sample.HasTarget ? BoxMath.Iou(prediction.PixelBox, sample.Box) : 0f,
                            Presence = prediction.Presence, Found = prediction.Found ?? true,
                        });
                    }
                }
                catch (Exception ex) when (ex is ImageDecodeException or GroundingInputException)
                {
                    Fail(part, ex.Message);
                }
            }
            done += group.Count;
            i++;
            progress?.Report(new EvaluationProgress(done, samples.Count, i, images.Count, clock.Elapsed));
        }
        return Summarize(results, failed, clock.Elapsed);

        void Fail(IEnumerable<(GroundingSample Sample, int Row)> rows, string reason)
        {
            foreach (var (sample, row) in rows)
            {
                failed.Add(new SkippedRow(sample.ImagePath, row, reason));
                // A sample the system could not answer counts as a miss: the metrics never look better
                // because inputs failed.
                // For presence too: a positive unanswered is not found, a negative unanswered not rejected.
                results.Add(new SampleResult { Sample = sample, Predicted = default, Iou = 0f, Presence = null, Found = !sample.HasTarget });
            }
        }
    }

    /// <summary>One image read and prepared: the image, or why it could not be read (a file problem) or decoded.</summary>
    private sealed record LoadedImage(PreparedImage? Image, string? ReadError, string? DecodeError);

    private static LoadedImage Load(GroundingPipeline pipeline, string path, string? root)
    {
        byte[] bytes;
        try
        {
            // Confined and capped again at read time: the file may have changed since the dataset was read.
            bytes = DatasetImages.Read(path, root);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or InvalidDataException)
        {
            return new LoadedImage(null, ex.Message, null);
        }
        try
        {
            return new LoadedImage(pipeline.Prepare(bytes), null, null);
        }
        catch (ImageDecodeException ex)
        {
            return new LoadedImage(null, null, ex.Message);
        }
    }

    public static EvaluationReport Summarize(IReadOnlyList<SampleResult> results, IReadOnlyList<SkippedRow> failed, TimeSpan elapsed)
    {
        var positives = results.Where(r => r.Sample.HasTarget).ToList();
        var ious = positives.Select(r => r.Iou).ToArray();
        var scored = results.Any(r => r.Presence is not null);
        return new EvaluationReport
        {
            Results = results,
            Summary = GroundingMetrics.Summarize(ious),
            Presence = scored || positives.Count < results.Count
                ? PresenceMetrics.Summarize(results.Select(r => (r.Sample.HasTarget, r.Presence, r.Found)).ToList())
                : null,
            ByBoxSize = Breakdowns.GroupBy(positives, r => Breakdowns.BoxSizeBucket(r.Sample.Box.Area), Breakdowns.BoxSizeOrder),
            ByExpressionLength = Breakdowns.GroupBy(positives, r => Breakdowns.LengthBucket(r.Sample.Expression), Breakdowns.LengthOrder),
            ByCategory = Breakdowns.GroupBy(positives, r => r.Sample.Category ?? "(none)"),
            ByKind = Breakdowns.GroupBy(positives, r => r.Sample.Kind ?? "(none)"),
            Failed = failed,
            Elapsed = elapsed,
        };
    }
}
