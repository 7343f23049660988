using GroundingWeb.Evaluation.RefShapes;
using static GroundingWeb.Evaluation.RefShapes.ShapeColor;
using static GroundingWeb.Evaluation.RefShapes.ShapeKind;
using static GroundingWeb.Tests.Datasets.RefShapes.SceneBuilder;

namespace GroundingWeb.Tests.Datasets.RefShapes;

/// <summary>No-target expressions (issue 15): each refers to nothing in its scene, as the resolver decides, in every kind.</summary>
public sealed class NegativeExpressionsTests
{
    [Fact]
    public void EveryPickedNegativeMatchesNoObjectAndEveryKindHasThem()
    {
        var kinds = new Dictionary<ExpressionKind, int>();
        for (var seed = 0; seed < 200; seed++)
        {
            var scene = SceneGenerator.Generate(seed).Scene;
            foreach (var kind in RefShapesVocabulary.Kinds)
            {
                if (NegativeExpressions.Pick(scene, [kind], new Random(seed)) is not { } negative)
                {
                    continue;
                }
                var resolution = ExpressionResolver.Resolve(scene, negative);
                Assert.True(resolution.Matches.Count == 0 && resolution.Unclear.Count == 0,
                    $"seed {seed}: '{ExpressionPhrasing.Phrase(negative, new Random(1))}' matches [{string.Join(',', resolution.Matches)}], unclear [{string.Join(',', resolution.Unclear)}]");
                Assert.Equal(kind, negative.Kind);
                kinds[kind] = kinds.GetValueOrDefault(kind) + 1;
            }
        }
        Assert.All(RefShapesVocabulary.Kinds, k => Assert.True(kinds.GetValueOrDefault(k) >= 100, $"{k}: {kinds.GetValueOrDefault(k)} of 200 scenes"));
    }

    [Fact]
    public void AnAbsentCombinationIsANegativeAndAPresentOneIsNot()
    {
        var scene = Scene(Obj(Circle, Red, 50, 50), Obj(Square, Blue, 250, 250));

        var attributes = NegativeExpressions.Candidates(scene, ExpressionKind.Attribute).Select(e => e.Filter).ToList();

        Assert.Contains(new ObjectFilter(Circle, Blue), attributes);
        Assert.Contains(new ObjectFilter(Star), attributes);
        Assert.DoesNotContain(new ObjectFilter(Circle, Red), attributes);
        Assert.DoesNotContain(new ObjectFilter(Circle), attributes);
    }

    [Fact]
    public void NegativesDoNotChangeThePositives()
    {
        for (var id = 0; id < 20; id++)
        {
            var with = RefShapesGenerator.GenerateImage(3, id, "train", negatives: 1);
            var without = RefShapesGenerator.GenerateImage(3, id, "train", negatives: 0);

            Assert.Equal(without.Expressions.Select(e => e.Text), with.Expressions.Where(e => e.HasTarget).Select(e => e.Text));
            Assert.All(with.Expressions.Where(e => !e.HasTarget), e => Assert.True(NegativeExpressions.RefersToNothing(with.Rendered.Scene, e.Expression)));
        }
    }
}
