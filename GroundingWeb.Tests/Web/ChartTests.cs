using System.Globalization;
using Bunit;
using GroundingWeb.Features.Evaluations;
using MudBlazor.Services;

namespace GroundingWeb.Tests.Web;

/// <summary>The dashboard's charts are MudBlazor charts whose labels read the same on a server of any locale.</summary>
public sealed class ChartTests : BunitContext
{
    public ChartTests()
    {
        Services.AddMudServices();
        JSInterop.Mode = JSRuntimeMode.Loose;
    }

    [Fact]
    public void BarsAreMudChartBarsWithInvariantAxisLabels()
    {
        var cut = InCulture("de-DE", () => Render<BarChart>(p => p
            .Add(x => x.Id, "accuracy")
            .Add(x => x.Bars, [new BarChart.Bar("small", 0.25), new BarChart.Bar("medium", 0.5), new BarChart.Bar("large", 0.75)])
            .Add(x => x.ValueFormat, "0%")));

        Assert.Equal(3, cut.FindAll("#accuracy path.mud-chart-bar").Count);
        Assert.Equal(["small", "medium", "large"], cut.FindAll(".mud-charts-xaxis text").Select(t => t.TextContent));
        Assert.Equal(["0%", "20%", "40%", "60%", "80%"], cut.FindAll(".mud-charts-yaxis text").Select(t => t.TextContent));
    }

    [Fact]
    public void LinesAreMudChartLinesWithADecimalPointWhateverTheServersCulture()
    {
        var cut = InCulture("de-DE", () => Render<LineChart>(p => p
            .Add(x => x.Id, "iou-curve")
            .Add(x => x.Series, [new LineChart.Line("train IoU", [0.1, 0.35, 0.52], "#f58231"), new LineChart.Line("val IoU", [0.08, 0.3, 0.45], "#3cb44b")])));

        Assert.Equal(2, cut.FindAll("#iou-curve path.mud-chart-line").Count);
        var yLabels = cut.FindAll(".mud-charts-yaxis text").Select(t => t.TextContent).ToList();
        Assert.Equal(["0", "0.2", "0.4", "0.6"], yLabels);
        Assert.Equal(["1", "2", "3"], cut.FindAll(".mud-charts-xaxis text").Select(t => t.TextContent));
        Assert.Contains("val IoU", cut.Find(".mud-chart-legend").TextContent);
    }

    [Theory]
    [InlineData(new[] { 0.2, 0.9 }, 100, 20)]
    [InlineData(new[] { 3.0, 48.0, 120.0 }, 1, 50)]
    [InlineData(new double[0], 100, 1)]
    public void FractionsArePlottedInHundredthsAndCountsAsTheyAre(double[] values, double factor, int tickStep)
    {
        var scale = ChartScale.For(values);

        Assert.Equal(factor, scale.Factor);
        Assert.Equal(tickStep, scale.TickStep);
        Assert.Equal("0.45", InCulture("de-DE", () => scale.Labels("0.##")(0.45 * scale.Factor)));
    }

    private static T InCulture<T>(string name, Func<T> render)
    {
        var previous = CultureInfo.CurrentCulture;
        CultureInfo.CurrentCulture = CultureInfo.GetCultureInfo(name);
        try
        {
            return render();
        }
        finally
        {
            CultureInfo.CurrentCulture = previous;
        }
    }
}
