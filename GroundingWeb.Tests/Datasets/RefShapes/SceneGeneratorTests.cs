using GroundingWeb.Evaluation.RefShapes;

namespace GroundingWeb.Tests.Datasets.RefShapes;

public sealed class SceneGeneratorTests
{
    private static readonly IReadOnlyList<RenderedScene> Scenes = Enumerable.Range(0, 120).Select(SceneGenerator.Generate).ToList();

    [Fact]
    public void SameSeedGivesTheSamePixelsAndOtherSeedsDiffer()
    {
        var again = SceneGenerator.Generate(5);

        Assert.Equal(Scenes[5].Scene.Objects, again.Scene.Objects);
        Assert.Equal(Scenes[5].Rgb, again.Rgb);
        Assert.NotEqual(Scenes[5].Rgb, Scenes[6].Rgb);
    }

    [Fact]
    public void EveryShapeColourSizeCountAndBackgroundOccurs()
    {
        var objects = Scenes.SelectMany(s => s.Scene.Objects).ToList();

        Assert.Equal(RefShapesVocabulary.Shapes.Order(), objects.Select(o => o.Shape).Distinct().Order());
        Assert.Equal(RefShapesVocabulary.Colors.Order(), objects.Select(o => o.Color).Distinct().Order());
        Assert.Equal(RefShapesVocabulary.Sizes.Order(), objects.Select(o => o.Size).Distinct().Order());
        Assert.Equal(Enumerable.Range(2, 5), Scenes.Select(s => s.Scene.Objects.Count).Distinct().Order());
        Assert.Equal(Enum.GetValues<BackgroundKind>().Order(), Scenes.Select(s => s.Background).Distinct().Order());
        Assert.True(RefShapesVocabulary.Shapes.Length >= 6 && RefShapesVocabulary.Colors.Length == 8);
    }

    [Fact]
    public void ImageSizesAndObjectSizesStayInTheirRanges()
    {
        foreach (var (scene, _, _) in Scenes)
        {
            Assert.InRange(scene.Width, 256, 640);
            Assert.InRange(scene.Height, 192, 640);
            Assert.InRange(scene.Width / (double)scene.Height, 0.59, 1.81);
            foreach (var o in scene.Objects)
            {
                var share = o.Extent / scene.ShortSide;
                if (o.Size == SizeClass.Small) Assert.InRange(share, 0.12, 0.18);
                else Assert.InRange(share, 0.25, 0.35);
                Assert.True(o.Box.X1 >= 0 && o.Box.Y1 >= 0 && o.Box.X2 <= scene.Width && o.Box.Y2 <= scene.Height);
            }
        }
    }

    [Fact]
    public void ObjectsNeverOverlapAndKeepAGap()
    {
        foreach (var (scene, _, _) in Scenes)
        {
            var boxes = scene.Objects.Select(o => o.Box).ToList();
            for (var i = 0; i < boxes.Count; i++)
            {
                for (var j = i + 1; j < boxes.Count; j++)
                {
                    var gapX = Math.Max(boxes[j].X1 - boxes[i].X2, boxes[i].X1 - boxes[j].X2);
                    var gapY = Math.Max(boxes[j].Y1 - boxes[i].Y2, boxes[i].Y1 - boxes[j].Y2);
                    Assert.True(Math.Max(gapX, gapY) >= 0.04 * scene.ShortSide - 0.01, $"boxes {i} and {j} of a {scene.Width}x{scene.Height} scene are closer than the gap");
                }
            }
        }
    }

    [Fact]
    public void EveryObjectContrastsWithTheBackgroundAroundIt()
    {
        foreach (var (scene, rgb, _) in Scenes)
        {
            foreach (var o in scene.Objects)
            {
                // A ring just outside the box is background (boxes never overlap within the gap).
                var ring = Ring(scene, o, 3).Select(i => o.Color.ToRgb().DistanceTo(rgb[i], rgb[i + 1], rgb[i + 2])).ToList();
                Assert.True(ring.Average() >= 70, $"{o.Color} {o.Shape} on background differing by {ring.Average():F0} only");
            }
        }
    }

    private static IEnumerable<int> Ring(Scene scene, SceneObject o, int distance)
    {
        var (x1, y1) = ((int)Math.Floor(o.Box.X1) - distance, (int)Math.Floor(o.Box.Y1) - distance);
        var (x2, y2) = ((int)Math.Ceiling(o.Box.X2) + distance, (int)Math.Ceiling(o.Box.Y2) + distance);
        for (var x = x1; x <= x2; x++)
        {
            foreach (var y in new[] { y1, y2 })
            {
                if (x >= 0 && y >= 0 && x < scene.Width && y < scene.Height) yield return (y * scene.Width + x) * 3;
            }
        }
    }
}
