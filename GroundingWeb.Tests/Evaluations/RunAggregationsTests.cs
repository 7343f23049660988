using GroundingWeb.Data;
using GroundingWeb.Features.Evaluations;

namespace GroundingWeb.Tests.Evaluations;

public sealed class RunAggregationsTests
{
    private static EvaluationSampleResult R(int row, float iou, float side = 50, string expression = "the red one", string category = "circle") => new()
    {
        Row = row, ImagePath = $"/img/{row}.png", Expression = expression, Category = category, Kind = "attribute",
        TruthX1 = 0, TruthY1 = 0, TruthX2 = side, TruthY2 = side, PredictedX1 = 0, PredictedY1 = 0, PredictedX2 = side, PredictedY2 = side, Iou = iou,
    };

    [Fact]
    public void HistogramPutsEachIouInItsTenthAndOneInTheLastBin()
    {
        var bins = RunAggregations.Histogram([0f, 0.05f, 0.1f, 0.45f, 0.5f, 0.99f, 1f, 1f]);

        Assert.Equal(10, bins.Count);
        Assert.Equal([2, 1, 0, 0, 1, 1, 0, 0, 0, 3], bins.Select(b => b.Count));
        Assert.Equal((0.4, 0.5), (bins[4].From, bins[4].To));
        Assert.Equal(8, bins.Sum(b => b.Count));
    }

    [Fact]
    public void DashboardSummaryAndBucketsMatchHandCounts()
    {
        // Small boxes (20x20 = 400 px²): IoUs 0.9, 0.2; medium (50x50): 0.6, 0.7, 0.1; large (120x120): 0.8.
        EvaluationSampleResult[] rows =
        [
            R(0, 0.9f, 20, "red"), R(1, 0.2f, 20, "the big red"), R(2, 0.6f, 50, "the circle left of the square"),
            R(3, 0.7f, 50, "blue"), R(4, 0.1f, 50, "the third shape from the left side", "square"), R(5, 0.8f, 120, "green one", "square"),
        ];

        var data = RunAggregations.Dashboard(rows, worst: 2);

        Assert.Equal(6, data.Summary.Count);
        Assert.Equal((0.9 + 0.2 + 0.6 + 0.7 + 0.1 + 0.8) / 6, data.Summary.MeanIou, 6);
        Assert.Equal(4.0 / 6, data.Summary.AccuracyAt50, 12);
        Assert.Equal(2.0 / 6, data.Summary.AccuracyAt75, 12);
        Assert.Equal(["small (<32²)", "medium (32²-96²)", "large (≥96²)"], data.ByBoxSize.Select(b => b.Group));
        Assert.Equal([2, 3, 1], data.ByBoxSize.Select(b => b.Count));
        Assert.Equal([0.5, 2.0 / 3, 1.0], data.ByBoxSize.Select(b => b.AccuracyAt50));
        Assert.Equal(["1-2 words", "3-4 words", "5-6 words", "7+ words"], data.ByExpressionLength.Select(b => b.Group));
        Assert.Equal([3, 1, 1, 1], data.ByExpressionLength.Select(b => b.Count));
        Assert.Equal([("circle", 4), ("square", 2)], data.ByCategory.Select(b => (b.Group, b.Count)));
        Assert.Equal(0.5, data.ByCategory[1].AccuracyAt50);
        Assert.Equal([4, 1], data.Worst.Select(w => w.Row));
        Assert.Equal([0, 1, 1, 0, 0, 0, 1, 1, 1, 1], data.Histogram.Select(b => b.Count));
    }

    [Fact]
    public void PerSplitKeepsTheLatestCompletedRunOfEachSplit()
    {
        var dataset = new RegisteredDataset { Id = 1, Name = "d", Path = "/d", Format = "jsonl", SplitCountsJson = "{}", RegisteredBy = "x" };
        EvaluationRun Run(long id, string split, RunStatus status, double acc) => new()
        {
            Id = id, BundlePath = "/m", ModelName = "m", ModelVersion = "1", DatasetId = 1, Dataset = dataset, Split = split, Status = status,
            AccuracyAt50 = acc, CreatedBy = "a",
        };

        var table = EvaluationQueries.PerSplit([Run(1, "val", RunStatus.Completed, 0.5), Run(2, "val", RunStatus.Completed, 0.6),
            Run(3, "val", RunStatus.Failed, 0), Run(4, "testA", RunStatus.Completed, 0.7)]);

        var (model, name, bySplit) = Assert.Single(table);
        Assert.Equal(("m 1", "d"), (model, name));
        Assert.Equal(2, bySplit["val"].Id);
        Assert.Equal(4, bySplit["testA"].Id);
        Assert.False(bySplit.ContainsKey("testB"));
    }

    [Fact]
    public void CsvQuotesTextAndDefusesFormulas()
    {
        var csv = EvaluationQueries.Csv([R(0, 0.5f, expression: "say \"hi\", then =SUM(A1)"), R(1, 0.25f, expression: "=cmd")]).Split('\n');

        Assert.StartsWith("row,image,expression,", csv[0]);
        Assert.Contains("\"say \"\"hi\"\", then =SUM(A1)\"", csv[1]);
        Assert.Contains("\"'=cmd\"", csv[2]);
        // iou, then presence and found empty (a bundle without presence), then no failure.
        Assert.EndsWith(",0.25,,,", csv[2]);
    }
}
