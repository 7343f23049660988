using GroundingWeb.Evaluation.Datasets;
using GroundingWeb.Evaluation;
using GroundingWeb.Inference.Geometry;
using GroundingWeb.Tests.Support;

namespace GroundingWeb.Tests.Evaluation;

public sealed class EvaluatorTests(DemoBundleFixture demo) : IClassFixture<DemoBundleFixture>
{
    private static GroundingSample Sample(string image, string expression, Box box, string? kind = null) => new()
    {
        ImagePath = RepositoryPaths.Sample(image), Expression = expression, Box = box, Split = "val", Category = "thing", Kind = kind,
    };

    private static readonly GroundingSample[] Samples =
    [
        Sample("chelsea.png", "the cat", new Box(50, 20, 400, 300), "attribute"),
        Sample("coffee.png", "the cup", new Box(150, 50, 450, 300), "attribute"),
        Sample("chelsea.png", "the left ear", new Box(80, 20, 180, 120), "position"),
        Sample("chelsea.png", "the nose", new Box(200, 150, 260, 200), "position"),
    ];

    [Fact]
    public void EncodesEachImageOnceAndScoresEverySample()
    {
        var pipeline = demo.CreatePipeline();

        var report = Evaluator.Run(pipeline, Samples);

        Assert.Equal(2, pipeline.VisionEncoderRuns);
        Assert.Equal(4, report.Summary.Count);
        Assert.Equal(Samples, report.Results.Select(r => r.Sample).OrderBy(s => Array.IndexOf(Samples, s)));
        Assert.All(report.Results, r => Assert.Equal(BoxMath.Iou(r.Predicted, r.Sample.Box), r.Iou));
        Assert.Equal(report.Results.Average(r => (double)r.Iou), report.Summary.MeanIou, 1e-6);
        Assert.Equal(["attribute", "position"], report.ByKind.Select(k => k.Group));
        Assert.Empty(report.Failed);
    }

    [Fact]
    public void MatchesGroundingTheSamplesOneByOne()
    {
        var report = Evaluator.Run(demo.CreatePipeline(), Samples);
        var pipeline = demo.CreatePipeline();

        foreach (var r in report.Results)
        {
            var alone = pipeline.Ground(File.ReadAllBytes(r.Sample.ImagePath), [r.Sample.Expression]).Predictions[0].PixelBox;
            Assert.Equal(alone.X1, r.Predicted.X1, 1e-2f);
            Assert.Equal(alone.Y2, r.Predicted.Y2, 1e-2f);
        }
    }

    [Fact]
    public void ReportsProgressPerImage()
    {
        var seen = new List<EvaluationProgress>();

        Evaluator.Run(demo.CreatePipeline(), Samples, new SynchronousProgress<EvaluationProgress>(seen.Add));

        Assert.Equal([3, 4], seen.Select(p => p.SamplesDone));
        Assert.All(seen, p => Assert.Equal(2, p.ImagesTotal));
    }

    [Fact]
    public void UnreadableImageIsReportedAndTheRunGoesOn()
    {
        using var temp = new TempFolder();
        File.WriteAllText(temp.File("broken.png"), "not an image");
        GroundingSample[] samples = [Samples[0], Samples[0] with { ImagePath = temp.File("broken.png") }];

        var report = Evaluator.Run(demo.CreatePipeline(), samples);

        // The failed sample stays in the denominator as a miss.
        Assert.Equal(2, report.Summary.Count);
        Assert.Equal(0f, report.Results[1].Iou);
        var failed = Assert.Single(report.Failed);
        Assert.Equal(temp.File("broken.png"), failed.File);
        Assert.Equal(1, failed.Row);
    }

    [Fact]
    public void ARefusedExpressionFailsAloneNotItsNeighbours()
    {
        GroundingSample[] samples = [Samples[0], Samples[0] with { Expression = " " }, Samples[2]];

        var report = Evaluator.Run(demo.CreatePipeline(), samples);

        Assert.Equal(3, report.Summary.Count);
        Assert.Single(report.Failed);
        Assert.Equal(" ", report.Results.Single(r => r.Iou == 0f && r.Predicted == default).Sample.Expression);
    }

    [Fact]
    public void HonoursCancellation()
    {
        using var cancelled = new CancellationTokenSource();
        cancelled.Cancel();

        Assert.Throws<OperationCanceledException>(() => Evaluator.Run(demo.CreatePipeline(), Samples, cancellationToken: cancelled.Token));
    }

    private sealed class SynchronousProgress<T>(Action<T> report) : IProgress<T>
    {
        public void Report(T value) => report(value);
    }

    [Fact]
    public void AnImageThatTurnedIntoADeviceAfterTheDatasetWasReadFailsThatSampleAlone()
    {
        using var folder = new TempFolder();
        File.Copy(RepositoryPaths.Sample("chelsea.png"), folder.File("cat.png"));
        File.Copy(RepositoryPaths.Sample("coffee.png"), folder.File("cup.png"));
        GroundingSample Confined(string image, string expression) => new()
        {
            ImagePath = folder.File(image), ImageRoot = folder.Path, Expression = expression, Box = new Box(50, 20, 400, 300), Split = "val",
        };
        var samples = new[] { Confined("cat.png", "the cat"), Confined("cup.png", "the cup") };
        File.Delete(folder.File("cup.png"));
        File.CreateSymbolicLink(folder.File("cup.png"), "/dev/zero");

        var report = Evaluator.Run(demo.CreatePipeline(), samples);

        Assert.Equal(2, report.Results.Count);
        var failed = Assert.Single(report.Failed);
        Assert.Equal(1, failed.Row);
        Assert.Contains("outside the dataset's image folder", failed.Reason);
        Assert.True(report.Results.Single(r => r.Sample.Expression == "the cat").Iou > 0);
    }
}
