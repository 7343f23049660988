using GroundingWeb.Evaluation.RefShapes;

namespace GroundingWeb.Tests.Datasets.RefShapes;

public sealed class ShapeRasterizerTests
{
    public static TheoryData<string> Shapes => new(RefShapesVocabulary.Shapes.Select(s => s.ToString()));

    [Theory]
    [MemberData(nameof(Shapes))]
    public void TheBoxIsTightAroundTheDrawnPixels(string shape)
    {
        const int size = 120;
        var rgb = Enumerable.Repeat((byte)128, size * size * 3).ToArray();
        var obj = new SceneObject(Enum.Parse<ShapeKind>(shape), ShapeColor.Red, SizeClass.Large, 60.3, 58.7, 70.4);

        ShapeRasterizer.Draw(rgb, size, size, obj);

        var touched = Enumerable.Range(0, size * size).Where(p => rgb[p * 3] != 128 || rgb[p * 3 + 1] != 128).ToList();
        var (minX, maxX) = (touched.Min(p => p % size), touched.Max(p => p % size));
        var (minY, maxY) = (touched.Min(p => p / size), touched.Max(p => p / size));
        // Pixel i covers [i, i+1]. A sharp vertex may poke into a pixel by less than one 4x4 sample
        // and leave it untouched, so the box may reach up to a pixel past the touched ones.
        Assert.InRange(obj.Box.X1, minX - 1, minX + 1);
        Assert.InRange(obj.Box.X2, maxX, maxX + 2);
        Assert.InRange(obj.Box.Y1, minY - 1, minY + 1);
        Assert.InRange(obj.Box.Y2, maxY, maxY + 2);
    }

    [Fact]
    public void EdgesAreAntiAliased()
    {
        const int size = 64;
        var rgb = new byte[size * size * 3];
        var obj = new SceneObject(ShapeKind.Circle, ShapeColor.White, SizeClass.Large, 32, 32, 40);

        ShapeRasterizer.Draw(rgb, size, size, obj);

        var levels = Enumerable.Range(0, size * size).Select(p => rgb[p * 3]).Distinct().Count();
        Assert.True(levels > 8, $"only {levels} grey levels: the edge is not anti-aliased");
        Assert.Equal(250, rgb[(32 * size + 32) * 3]);
        Assert.Equal(0, rgb[0]);
    }

    [Fact]
    public void InGeneratedScenesTheTargetColourFillsItsBoxToTheEdges()
    {
        for (var seed = 0; seed < 40; seed++)
        {
            var (scene, rgb, _) = SceneGenerator.Generate(seed);
            foreach (var o in scene.Objects)
            {
                var color = o.Color.ToRgb();
                var (x1, y1, x2, y2) = ((int)Math.Floor(o.Box.X1), (int)Math.Floor(o.Box.Y1), (int)Math.Ceiling(o.Box.X2), (int)Math.Ceiling(o.Box.Y2));
                var hits = new List<(int X, int Y)>();
                for (var y = y1; y < y2; y++)
                {
                    for (var x = x1; x < x2; x++)
                    {
                        var i = (y * scene.Width + x) * 3;
                        if (color.DistanceTo(rgb[i], rgb[i + 1], rgb[i + 2]) < 60) hits.Add((x, y));
                    }
                }
                var share = hits.Count / (double)((x2 - x1) * (y2 - y1));
                Assert.True(share >= 0.3, $"seed {seed}: {o.Color} {o.Shape} fills {share:P0} of its box");
                // Star and triangle tips are thinner than a pixel for their last few pixels.
                Assert.InRange(hits.Min(h => h.X), x1, x1 + 4);
                Assert.InRange(hits.Max(h => h.X) + 1, x2 - 4, x2);
                Assert.InRange(hits.Min(h => h.Y), y1, y1 + 4);
                Assert.InRange(hits.Max(h => h.Y) + 1, y2 - 4, y2);
            }
        }
    }
}
