using GroundingWeb.Evaluation.RefShapes;
using static GroundingWeb.Evaluation.RefShapes.ShapeColor;
using static GroundingWeb.Evaluation.RefShapes.ShapeKind;
using static GroundingWeb.Tests.Datasets.RefShapes.SceneBuilder;

namespace GroundingWeb.Tests.Datasets.RefShapes;

public sealed class ExpressionGeneratorTests
{
    [Fact]
    public void EveryComposedExpressionResolvesToExactlyItsTarget()
    {
        var kinds = new Dictionary<ExpressionKind, int>();
        for (var seed = 0; seed < 300; seed++)
        {
            var scene = SceneGenerator.Generate(seed).Scene;

            var expressions = SampleComposer.Compose(scene, RefShapesVocabulary.Kinds, new Random(seed));

            Assert.InRange(expressions.Count, 1, SampleComposer.MaxPerImage);
            Assert.Equal(expressions.Count, expressions.Select(e => e.Text).Distinct().Count());
            foreach (var e in expressions)
            {
                var resolution = ExpressionResolver.Resolve(scene, e.Expression);
                Assert.True(resolution.Selects(e.Target), $"seed {seed}: '{e.Text}' matches [{string.Join(',', resolution.Matches)}], unclear [{string.Join(',', resolution.Unclear)}], target {e.Target}");
                kinds[e.Expression.Kind] = kinds.GetValueOrDefault(e.Expression.Kind) + 1;
            }
        }
        Assert.All(RefShapesVocabulary.Kinds, k => Assert.True(kinds.GetValueOrDefault(k) >= 100, $"{k}: {kinds.GetValueOrDefault(k)}"));
    }

    [Fact]
    public void AttributeExpressionsUseTheFewestAttributes()
    {
        var scene = Scene(Obj(Circle, Red, 50, 50), Obj(Circle, Blue, 150, 50), Obj(Square, Red, 250, 50), Obj(Square, Blue, 150, 200, extent: 80));

        var forRedCircle = ExpressionGenerator.Candidates(scene, 0, ExpressionKind.Attribute).Select(c => c.Expression.Filter).ToList();
        var forLargeSquare = ExpressionGenerator.Candidates(scene, 3, ExpressionKind.Attribute).Select(c => c.Expression.Filter).ToList();

        Assert.Equal([new ObjectFilter(Circle, Red)], forRedCircle);
        Assert.Equal([new ObjectFilter(Size: SizeClass.Large)], forLargeSquare);
    }

    [Fact]
    public void AmbiguousCandidatesAreNeverOffered()
    {
        // Two red circles on the left, a third shape on the right: "the red circle", "the shape on the
        // left" and "the circle left of the square" would each fit two objects.
        var scene = Scene(Obj(Circle, Red, 40, 60), Obj(Circle, Red, 50, 240), Obj(Square, Green, 250, 150, extent: 80));

        var all = RefShapesVocabulary.Kinds.SelectMany(k => ExpressionGenerator.Candidates(scene, 0, k)).Select(c => c.Expression).ToList();

        Assert.DoesNotContain(all, e => e.Kind == ExpressionKind.Attribute);
        Assert.DoesNotContain(new PositionExpression(ObjectFilter.Any, Region.Left), all);
        Assert.DoesNotContain(all, e => e is RelationExpression { Relation: Relation.LeftOf });
        Assert.Contains(new PositionExpression(ObjectFilter.Any, Region.TopLeft), all);
        Assert.Contains(new SuperlativeExpression(new ObjectFilter(Circle), Extreme.Topmost), all);
        Assert.Contains(new RelationExpression(new ObjectFilter(Circle), Relation.Above, new ObjectFilter(Square)), all);
        Assert.All(all, e => Assert.True(ExpressionResolver.Resolve(scene, e).Selects(0)));
    }

    [Fact]
    public void RelationReferencesAreUniqueByThemselves()
    {
        for (var seed = 0; seed < 50; seed++)
        {
            var scene = SceneGenerator.Generate(seed).Scene;
            for (var target = 0; target < scene.Objects.Count; target++)
            {
                foreach (var c in ExpressionGenerator.Candidates(scene, target, ExpressionKind.Relation))
                {
                    var reference = ((RelationExpression)c.Expression).Reference;
                    Assert.Single(scene.Objects, reference.Matches);
                    Assert.False(reference.Matches(scene.Objects[target]));
                }
            }
        }
    }

    [Theory]
    [InlineData("attribute", new[] { "the red circle", "red circle", "the circle that is red" })]
    [InlineData("position", new[] { "the shape in the top left", "shape in the top left", "the shape in the top left corner", "shape in the top left corner" })]
    [InlineData("relation", new[] { "the star left of the green square", "the star to the left of the green square", "star left of the green square", "star to the left of the green square" })]
    [InlineData("ordinal", new[] { "the second circle from the left" })]
    [InlineData("superlative", new[] { "the lowest red shape", "the bottom red shape" })]
    public void PhrasingIsShortAndRegular(string kind, string[] expected)
    {
        ReferringExpression expression = kind switch
        {
            "attribute" => new AttributeExpression(new ObjectFilter(Circle, Red)),
            "position" => new PositionExpression(ObjectFilter.Any, Region.TopLeft),
            "relation" => new RelationExpression(new ObjectFilter(Star), Relation.LeftOf, new ObjectFilter(Square, Green)),
            "ordinal" => new OrdinalExpression(new ObjectFilter(Circle), Direction.FromLeft, 2),
            _ => new SuperlativeExpression(new ObjectFilter(Color: Red), Extreme.Lowest),
        };
        var rng = new Random(7);

        var phrases = Enumerable.Range(0, 200).Select(_ => ExpressionPhrasing.Phrase(expression, rng)).ToHashSet();

        Assert.Equal(expected.Order(), phrases.Order());
    }

    [Fact]
    public void SizesArePhrasedBeforeColours()
    {
        Assert.Equal("small blue star", ExpressionPhrasing.NounPhrase(new ObjectFilter(Star, Blue, SizeClass.Small)));
        Assert.Equal("large shape", ExpressionPhrasing.NounPhrase(new ObjectFilter(Size: SizeClass.Large)));
    }
}
