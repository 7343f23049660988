using GroundingWeb.Inference.Bundles;
using GroundingWeb.Evaluation.Datasets;
using GroundingWeb.Evaluation;
using GroundingWeb.Tests.Support;

namespace GroundingWeb.Tests.EndToEnd;

/// <summary>
/// Guards the committed demo bundle: on RefShapes scenes generated with a seed that training never
/// saw, it must still reach the val Acc@0.5 its manifest records, less 0.05.
/// </summary>
public sealed class DemoBundleAccuracyGuardTests(DemoBundleFixture demo) : IClassFixture<DemoBundleFixture>
{
    private const int UnseenSeed = 20261127;

    [Fact]
    public void CommittedDemoBundleKeepsItsRecordedValidationAccuracy()
    {
        var manifest = demo.Bundle.Manifest;
        Assert.True(manifest.Trained, "the committed demo bundle must hold a trained head");
        var recorded = manifest.Provenance?.Metrics?.GetValueOrDefault("val")
            ?? throw new InvalidOperationException("models/demo/bundle.json records no val metrics (provenance.metrics.val).");
        using var temp = new TempFolder();
        var result = CliRunner.Run("synth", "--out", temp.File("data"), "--seed", UnseenSeed.ToString(), "--images", "120",
            "--val-fraction", "1", "--testa-fraction", "0", "--testb-fraction", "0");
        Assert.Equal(0, result.ExitCode);
        var samples = DatasetReader.Read(temp.File("data"), DatasetFormat.Jsonl, "val").Samples;

        var report = Evaluator.Run(demo.CreatePipeline(), samples);

        Assert.True(samples.Count > 300, $"only {samples.Count} samples generated");
        Assert.True(report.Summary.AccuracyAt50 >= recorded.AccuracyAt50 - 0.05,
            $"Acc@0.5 {report.Summary.AccuracyAt50:F4} on unseen RefShapes; the manifest records {recorded.AccuracyAt50:F4}");
    }
}
