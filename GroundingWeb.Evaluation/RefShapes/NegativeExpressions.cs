namespace GroundingWeb.Evaluation.RefShapes;

/// <summary>
/// Expressions that refer to nothing in a scene, by construction: the grammar's expressions of a kind
/// built from attributes the scene has and has not, kept only when <see cref="ExpressionResolver"/>
/// clearly matches no object (none matched, none unclear). They teach and test "not in this image":
/// an absent attribute combination ("the green star" with no green star), a region where none of the
/// filter's objects lies, a relation that does not hold, an ordinal past the count ("the third circle
/// from the left" beside two circles), a superlative of an absent kind.
/// </summary>
internal static class NegativeExpressions
{
    /// <summary>One no-target expression of <paramref name="kinds"/> for the scene, or null when none exists.</summary>
    public static ReferringExpression? Pick(Scene scene, IReadOnlyCollection<ExpressionKind> kinds, Random rng)
    {
        var wanted = kinds.OrderBy(_ => rng.Next()).ToList();
        foreach (var kind in wanted)
        {
            var candidates = Candidates(scene, kind).ToList();
            if (candidates.Count > 0)
            {
                return candidates[rng.Next(candidates.Count)];
            }
        }
        return null;
    }

    public static IEnumerable<ReferringExpression> Candidates(Scene scene, ExpressionKind kind)
    {
        var proposals = kind switch
        {
            ExpressionKind.Attribute => AbsentFilters(scene).Select(f => (ReferringExpression)new AttributeExpression(f)),
            ExpressionKind.Position => PresentFilters(scene)
                .SelectMany(f => Enum.GetValues<Region>().Select(r => (ReferringExpression)new PositionExpression(f, r))),
            ExpressionKind.Relation => PresentFilters(scene).SelectMany(f => UniqueFilters(scene)
                .SelectMany(reference => Enum.GetValues<Relation>().Select(r => (ReferringExpression)new RelationExpression(f, r, reference)))),
            ExpressionKind.Ordinal => PresentFilters(scene)
                .SelectMany(f => Enum.GetValues<Direction>().SelectMany(d => Enumerable.Range(2, 3).Select(i => (ReferringExpression)new OrdinalExpression(f, d, i))))
                .Where(e => Count(scene, e.Filter) < ((OrdinalExpression)e).Index),
            ExpressionKind.Superlative => AbsentFilters(scene).Where(f => f.Size is null)
                .SelectMany(f => Enum.GetValues<Extreme>().Select(x => (ReferringExpression)new SuperlativeExpression(f, x))),
            _ => throw new ArgumentOutOfRangeException(nameof(kind), kind, null),
        };
        return proposals.Where(e => RefersToNothing(scene, e));
    }

    public static bool RefersToNothing(Scene scene, ReferringExpression expression)
    {
        var resolution = ExpressionResolver.Resolve(scene, expression);
        return resolution.Matches.Count == 0 && resolution.Unclear.Count == 0;
    }

    /// <summary>Shape and colour combinations (with or without a size) that no object of the scene has.</summary>
    private static IEnumerable<ObjectFilter> AbsentFilters(Scene scene) =>
        RefShapesVocabulary.Shapes.SelectMany(shape => RefShapesVocabulary.Colors.Select(color => new ObjectFilter(shape, color)))
            .Concat(RefShapesVocabulary.Shapes.Select(shape => new ObjectFilter(shape)))
            .Where(f => Count(scene, f) == 0);

    /// <summary>The spatial filters of the scene's objects (shape, colour, both), each once.</summary>
    private static IEnumerable<ObjectFilter> PresentFilters(Scene scene) =>
        scene.Objects.SelectMany(o => new ObjectFilter[] { new(o.Shape), new(Color: o.Color), new(o.Shape, o.Color) }).Distinct();

    /// <summary>Filters that name exactly one object: what a relation's reference must be.</summary>
    private static IEnumerable<ObjectFilter> UniqueFilters(Scene scene) =>
        Enumerable.Range(0, scene.Objects.Count).SelectMany(i => ExpressionGenerator.MinimalFilters(scene, i)).Distinct();

    private static int Count(Scene scene, ObjectFilter filter) => scene.Objects.Count(filter.Matches);
}
