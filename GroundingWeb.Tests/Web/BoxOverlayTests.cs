using Bunit;
using GroundingWeb.Features.Ground;
using GroundingWeb.Inference.Geometry;
using GroundingWeb.Inference.Pipeline;

namespace GroundingWeb.Tests.Web;

/// <summary>
/// The overlay draws in the image's own pixel grid (the SVG's viewBox) stretched over the displayed
/// image, and places labels in percent of the frame: both hold at any display size and aspect ratio.
/// </summary>
public sealed class BoxOverlayTests : BunitContext
{
    private static PromptPrediction Prediction(string prompt, Box box, int width, int height) =>
        new() { Prompt = prompt, PixelBox = box, NormalizedBox = box.Scale(1f / width, 1f / height) };

    [Fact]
    public void BoxesAreDrawnInImagePixelsOverAViewBoxOfTheImageSize()
    {
        var cut = Render<BoxOverlay>(p => p
            .Add(x => x.ImageUrl, "data:image/png;base64,AA==")
            .Add(x => x.ImageWidth, 640)
            .Add(x => x.ImageHeight, 480)
            .Add(x => x.Predictions, [Prediction("the cat", new Box(64, 48, 320.5f, 240.25f), 640, 480)]));

        var svg = cut.Find("svg");
        Assert.Equal("0 0 640 480", svg.GetAttribute("viewBox"));
        Assert.Equal("none", svg.GetAttribute("preserveAspectRatio"));
        var rect = cut.Find("rect");
        Assert.Equal(("64", "48", "256.5", "192.25"), (rect.GetAttribute("x"), rect.GetAttribute("y"), rect.GetAttribute("width"), rect.GetAttribute("height")));
        // The stroke keeps its screen width whatever the scaling.
        Assert.Equal("non-scaling-stroke", rect.GetAttribute("vector-effect"));
    }

    [Fact]
    public void LabelsSitAtTheBoxCornerInPercentOfTheImage()
    {
        var cut = Render<BoxOverlay>(p => p
            .Add(x => x.ImageUrl, "x.png")
            .Add(x => x.ImageWidth, 300)
            .Add(x => x.ImageHeight, 1200)
            .Add(x => x.Predictions, [Prediction("tall one", new Box(75, 300, 150, 900), 300, 1200)]));

        var style = cut.Find(".overlay-label").GetAttribute("style")!;
        Assert.Contains("left:25%", style);
        Assert.Contains("top:25%", style);
        Assert.Equal("tall one", cut.Find(".overlay-label").TextContent);
    }

    [Fact]
    public void EachPromptGetsItsOwnColourAndLabel()
    {
        var predictions = Enumerable.Range(0, 3).Select(i => Prediction($"p{i}", new Box(i * 10, 0, i * 10 + 5, 5), 100, 100)).ToList();
        var cut = Render<BoxOverlay>(p => p
            .Add(x => x.ImageUrl, "x.png").Add(x => x.ImageWidth, 100).Add(x => x.ImageHeight, 100).Add(x => x.Predictions, predictions));

        var strokes = cut.FindAll("rect").Select(r => r.GetAttribute("stroke")).ToList();
        Assert.Equal(3, strokes.Distinct().Count());
        Assert.Equal(["p0", "p1", "p2"], cut.FindAll("g.prediction").Select(g => g.GetAttribute("data-prompt")));
    }

    [Theory]
    [InlineData(50f, 200, "25%")]
    [InlineData(0f, 200, "0%")]
    [InlineData(200f, 200, "100%")]
    [InlineData(1f, 3, "33.333%")]
    [InlineData(10f, 0, "0%")]
    public void PercentIsRelativeToTheImageSide(float value, int size, string expected) =>
        Assert.Equal(expected, BoxOverlay.Percent(value, size));

    [Theory]
    [InlineData("the cat on the sofa", "crop-the-cat-on-the-sofa.png")]
    [InlineData("  Man in RED, left!! ", "crop-man-in-red-left.png")]
    [InlineData("???", "crop-box.png")]
    public void CropFilesAreNamedAfterTheirPrompt(string prompt, string expected) =>
        Assert.Equal(expected, GroundPage.CropFileName(prompt));
}
