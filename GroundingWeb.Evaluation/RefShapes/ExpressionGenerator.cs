namespace GroundingWeb.Evaluation.RefShapes;

/// <summary>A structured expression that selects its target, and how much the composer should want it.</summary>
internal sealed record ExpressionCandidate(int Target, ReferringExpression Expression, double Weight);

/// <summary>
/// Lists every expression of a kind that refers to one object unambiguously: each is built from the
/// grammar, then kept only if <see cref="ExpressionResolver"/> says it selects the target and nothing else.
/// </summary>
internal static class ExpressionGenerator
{
    // Spatial words should be needed: an expression whose filter alone already names the target is
    // still allowed (people say more than they must) but less often.
    private const double RedundantWeight = 0.3;

    public static List<ExpressionCandidate> Candidates(Scene scene, int target, ExpressionKind kind)
    {
        var proposals = kind switch
        {
            ExpressionKind.Attribute => MinimalFilters(scene, target).Select(f => (ReferringExpression)new AttributeExpression(f)),
            ExpressionKind.Position => SpatialFilters(scene.Objects[target])
                .SelectMany(f => Enum.GetValues<Region>().Select(r => (ReferringExpression)new PositionExpression(f, r))),
            ExpressionKind.Relation => Relations(scene, target),
            ExpressionKind.Ordinal => SpatialFilters(scene.Objects[target])
                .SelectMany(f => Enum.GetValues<Direction>().SelectMany(d => Enumerable.Range(1, 4).Select(i => (ReferringExpression)new OrdinalExpression(f, d, i))))
                .Where(e => Count(scene, e.Filter) >= Math.Max(2, ((OrdinalExpression)e).Index)),
            ExpressionKind.Superlative => SpatialFilters(scene.Objects[target])
                .SelectMany(f => Enum.GetValues<Extreme>().Select(x => (ReferringExpression)new SuperlativeExpression(f, x)))
                .Where(e => Count(scene, e.Filter) >= 2),
            _ => throw new ArgumentOutOfRangeException(nameof(kind), kind, null),
        };
        return proposals
            .Where(e => ExpressionResolver.Resolve(scene, e).Selects(target))
            .Select(e => new ExpressionCandidate(target, e, Weight(scene, e)))
            .ToList();
    }

    /// <summary>The attribute filters with the fewest attributes that match the object alone (none if it has a twin).</summary>
    public static List<ObjectFilter> MinimalFilters(Scene scene, int target)
    {
        var unique = ObjectFilter.SubsetsOf(scene.Objects[target])
            .Where(f => f.AttributeCount > 0 && Count(scene, f) == 1)
            .ToList();
        return unique.Count == 0 ? unique : unique.Where(f => f.AttributeCount == unique.Min(u => u.AttributeCount)).ToList();
    }

    // Sizes stay out of spatial filters: "the biggest small circle" reads badly.
    private static IEnumerable<ObjectFilter> SpatialFilters(SceneObject o) =>
        [ObjectFilter.Any, new(o.Shape), new(Color: o.Color), new(o.Shape, o.Color)];

    private static IEnumerable<ReferringExpression> Relations(Scene scene, int target)
    {
        for (var reference = 0; reference < scene.Objects.Count; reference++)
        {
            if (reference == target)
            {
                continue;
            }
            foreach (var referenceFilter in MinimalFilters(scene, reference))
            {
                foreach (var filter in SpatialFilters(scene.Objects[target]))
                {
                    foreach (var relation in Enum.GetValues<Relation>())
                    {
                        yield return new RelationExpression(filter, relation, referenceFilter);
                    }
                }
            }
        }
    }

    private static int Count(Scene scene, ObjectFilter filter) => scene.Objects.Count(filter.Matches);

    private static double Weight(Scene scene, ReferringExpression e) =>
        e.Kind is ExpressionKind.Position or ExpressionKind.Relation && Count(scene, e.Filter) == 1 ? RedundantWeight : 1;
}
