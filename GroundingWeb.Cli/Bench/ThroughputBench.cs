using GroundingWeb.Cli.Features;
using GroundingWeb.Evaluation;
using GroundingWeb.Evaluation.Datasets;
using GroundingWeb.Evaluation.RefShapes;
using GroundingWeb.Inference.Pipeline;

namespace GroundingWeb.Cli.Bench;

/// <summary>Images per second of repeated runs: the best run and the median one.</summary>
internal sealed record BenchRate(double BestImagesPerSecond, double MedianImagesPerSecond)
{
    public static BenchRate Of(int images, IEnumerable<double> seconds)
    {
        var rates = seconds.Select(s => images / Math.Max(s, 1e-9)).Order().ToList();
        return new BenchRate(Math.Round(rates[^1], 3), Math.Round(rates[(rates.Count - 1) / 2], 3));
    }
}

internal sealed record ThroughputResult(int Images, int Samples, int Runs, BenchRate Evaluate, BenchRate Features);

/// <summary>
/// <c>evaluate</c> and <c>features</c> as those commands run them (the evaluator, the feature extractor
/// writing its shards), over RefShapes images generated for the run into a temporary folder that is
/// deleted afterwards. Both see every image for the first time (no image-token cache).
/// </summary>
internal static class ThroughputBench
{
    public static ThroughputResult Run(GroundingPipeline uncached, int images, int runs, CancellationToken cancellationToken)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(images, 1, "--throughput-images");
        ArgumentOutOfRangeException.ThrowIfLessThan(runs, 1, "--throughput-runs");
        var folder = Directory.CreateTempSubdirectory("grounding-bench-").FullName;
        try
        {
            var dataset = Path.Combine(folder, "refshapes");
            RefShapesWriter.Write(dataset, new RefShapesOptions(Seed: 1, Images: images, ValFraction: 0, TestAFraction: 0, TestBFraction: 0), force: false,
                cancellationToken: cancellationToken);
            var samples = DatasetReader.Read(dataset, DatasetFormat.Jsonl, "train", cancellationToken).Samples;
            var imageCount = samples.Select(s => s.ImagePath).Distinct(StringComparer.Ordinal).Count();
            var evaluate = new List<double>();
            var features = new List<double>();
            for (var run = 0; run < runs; run++)
            {
                evaluate.Add(Evaluator.Run(uncached, samples, cancellationToken: cancellationToken).Elapsed.TotalSeconds);
                var result = new FeatureExtractor(uncached, TextWriter.Null)
                    .Run(samples, dataset, Path.Combine(folder, $"features-{run}"), "train", imagesPerShard: 256, cancellationToken);
                features.Add(result.Seconds);
            }
            return new ThroughputResult(imageCount, samples.Count, runs, BenchRate.Of(imageCount, evaluate), BenchRate.Of(imageCount, features));
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }
}
