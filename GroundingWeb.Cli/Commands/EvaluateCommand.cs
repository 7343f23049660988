using System.CommandLine;
using System.Text.Json;
using GroundingWeb.Inference.Bundles;
using GroundingWeb.Evaluation.Datasets;
using GroundingWeb.Evaluation;
using GroundingWeb.Inference.Runtime;

namespace GroundingWeb.Cli.Commands;

/// <summary><c>grounding evaluate</c>: a bundle's metrics on one split of a dataset.</summary>
internal static class EvaluateCommand
{
    public static Command Create()
    {
        var bundle = new Option<string>("--bundle") { DefaultValueFactory = _ => "models/demo", Description = "Bundle folder." };
        var dataset = new Option<string>("--dataset") { Required = true, Description = "Dataset folder or file." };
        var format = new Option<DatasetFormat>("--format") { Required = true, Description = "refer, parquet or jsonl." };
        var split = new Option<string>("--split") { DefaultValueFactory = _ => "val", Description = "train, val, testA or testB." };
        var images = new Option<string?>("--images") { Description = "Image folder (refer, parquet; for jsonl a folder its absolute image paths may point into). Images outside the dataset's folders are skipped." };
        var limit = new Option<int?>("--limit") { Description = "Evaluate only the first N samples." };
        var output = new Option<string?>("--out") { Description = "Write per-sample results as JSON Lines." };
        var summary = new Option<string?>("--summary") { Description = "Write the summary and breakdowns as JSON." };
        var provider = new Option<ExecutionProviderPreference>("--provider") { DefaultValueFactory = _ => ExecutionProviderPreference.Auto };
        var record = new Option<bool>("--record") { Description = "Record the split's metrics in the bundle's bundle.json (provenance.metrics)." };
        var command = new Command("evaluate", "Evaluate a bundle on a dataset split: mean IoU, Acc@0.5, Acc@0.75, COCO-style AP.")
        {
            bundle, dataset, format, split, images, limit, output, summary, provider, record,
        };
        command.SetAction((parse, cancellationToken) => Task.FromResult(CliErrors.Run(() => Execute(
            parse.GetValue(bundle)!, parse.GetValue(dataset)!, parse.GetValue(format), parse.GetValue(split)!, parse.GetValue(images), parse.GetValue(limit),
            parse.GetValue(output), parse.GetValue(summary), parse.GetValue(provider), parse.GetValue(record), cancellationToken))));
        return command;
    }

    private static int Execute(string bundlePath, string datasetPath, DatasetFormat format, string split, string? imageFolder, int? limit,
        string? outputPath, string? summaryPath, ExecutionProviderPreference provider, bool record, CancellationToken cancellationToken)
    {
        if (limit is < 1) throw new ArgumentException("--limit must be at least 1.");
        if (record && limit is not null) throw new ArgumentException("--record needs the whole split: drop --limit.");
        var data = DatasetReader.Read(datasetPath, format, split, imageFolder, cancellationToken);
        var samples = limit is { } n ? data.Samples.Take(n).ToList() : data.Samples;
        if (samples.Count == 0) throw new InvalidDataException($"Split '{split}' of {datasetPath} holds no usable samples.");
        foreach (var skipped in data.Skipped.Take(5))
        {
            Console.Error.WriteLine($"skipped {skipped.File} row {skipped.Row}: {skipped.Reason}");
        }
        if (data.Skipped.Count > 5) Console.Error.WriteLine($"... and {data.Skipped.Count - 5} more skipped rows");

        using var pipeline = CliEngine.Open(bundlePath, provider, verbose: false);
        var progress = ProgressLine.ForStandardError();
        // Reported on the evaluating thread itself: Progress<T> would post to the thread pool and race.
        var report = Evaluator.Run(pipeline, samples, new SynchronousProgress<EvaluationProgress>(p => progress.Report(
            (double)p.SamplesDone / p.SamplesTotal,
            $"evaluate {p.SamplesDone}/{p.SamplesTotal} samples, {p.ImagesDone}/{p.ImagesTotal} images, {p.SamplesDone / Math.Max(p.Elapsed.TotalSeconds, 1e-9):F1} samples/s",
            last: p.SamplesDone == p.SamplesTotal)), cancellationToken);

        EvaluationText.Print(Console.Out, pipeline.Manifest.Name, datasetPath, split, report, data.Skipped.Count);
        if (outputPath is not null) EvaluationFiles.WriteResults(outputPath, report);
        if (summaryPath is not null) EvaluationFiles.WriteSummary(summaryPath, pipeline.Manifest.Name, split, report);
        if (record)
        {
            BundleMetrics.RecordMetrics(pipeline.BundleDirectory, new Dictionary<string, SplitMetrics> { [split] = BundleMetrics.ToSplitMetrics(report.Summary, report.Presence) });
            Console.WriteLine($"recorded {split} metrics in {Path.Combine(pipeline.BundleDirectory, BundleManifest.FileName)}");
        }
        if (CliEngine.UntrainedWarning(pipeline.Manifest) is { } warning) Console.Error.WriteLine(warning);
        return 0;
    }
}

internal sealed class SynchronousProgress<T>(Action<T> report) : IProgress<T>
{
    public void Report(T value) => report(value);
}
