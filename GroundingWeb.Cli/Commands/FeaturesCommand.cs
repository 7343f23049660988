using System.CommandLine;
using GroundingWeb.Cli.Features;
using GroundingWeb.Evaluation.Datasets;
using GroundingWeb.Inference.Runtime;

namespace GroundingWeb.Cli.Commands;

/// <summary><c>grounding features</c>: caches a bundle's frozen encoder outputs over a dataset split for training.</summary>
internal static class FeaturesCommand
{
    public static Command Create()
    {
        var bundle = new Option<string>("--bundle") { Description = "Bundle whose encoders to run.", DefaultValueFactory = _ => "models/demo" };
        var dataset = new Option<string>("--dataset") { Description = "Dataset file or folder.", Required = true };
        var format = new Option<DatasetFormat>("--format") { Description = "refer, parquet or jsonl.", DefaultValueFactory = _ => DatasetFormat.Jsonl };
        var split = new Option<string>("--split") { Description = "Split to extract (train, val, testA, ...).", Required = true };
        var output = new Option<string>("--out") { Description = "Feature folder (DIR/SPLIT/shard-NNNNN.safetensors, index.jsonl, DIR/features.json).", Required = true };
        var images = new Option<string?>("--images") { Description = "Image folder (refer, parquet; for jsonl a folder its absolute image paths may point into)." };
        var limit = new Option<int?>("--limit") { Description = "Use only the first N samples of the split." };
        var perShard = new Option<int>("--images-per-shard") { Description = "Images per shard file.", DefaultValueFactory = _ => 256 };
        var provider = new Option<ExecutionProviderPreference>("--provider") { Description = "auto, cuda or cpu.", DefaultValueFactory = _ => ExecutionProviderPreference.Auto };
        var command = new Command("features", "Run the bundle's encoders over a dataset split once and cache the tokens (resumable).")
        {
            bundle, dataset, format, split, images, output, limit, perShard, provider,
        };
        command.SetAction((parse, cancellationToken) => Task.FromResult(CliErrors.Run(() =>
        {
            var datasetPath = parse.GetValue(dataset)!;
            var splitName = parse.GetValue(split)!;
            IReadOnlyList<GroundingSample> samples = SampleSource.Read(datasetPath, parse.GetValue(format), splitName, parse.GetValue(images));
            if (parse.GetValue(limit) is { } n)
            {
                ArgumentOutOfRangeException.ThrowIfLessThan(n, 1, "--limit");
                samples = samples.Take(n).ToList();
            }
            using var pipeline = CliEngine.Open(parse.GetValue(bundle)!, parse.GetValue(provider), verbose: false, cacheMegabytes: 0);
            Console.WriteLine($"features: {samples.Count} samples of '{splitName}' through {pipeline.Manifest.Name} {pipeline.Manifest.Version} on {pipeline.Provider}");
            var result = new FeatureExtractor(pipeline, Console.Out).Run(samples, datasetPath, parse.GetValue(output)!, splitName, parse.GetValue(perShard), cancellationToken);
            Console.WriteLine($"done: {result.Images} images, {result.Samples} samples; {result.ShardsWritten} shard(s) written, {result.ShardsSkipped} already done; " +
                              $"{result.SkippedImages} unreadable image(s) ({result.SkippedSamples} samples) left out; {result.Seconds:F1} s");
            return 0;
        })));
        return command;
    }
}
