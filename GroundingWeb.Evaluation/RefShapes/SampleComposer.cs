namespace GroundingWeb.Evaluation.RefShapes;

/// <summary>One referring expression of a scene: its target object (<see cref="NoTarget"/> for one that refers to nothing), structured form and words.</summary>
internal sealed record ComposedExpression(int Target, ReferringExpression Expression, string Text)
{
    public const int NoTarget = -1;

    public bool HasTarget => Target != NoTarget;
}

/// <summary>
/// Picks the expressions of one image: several, of varied kinds and targets, each unambiguous, never
/// two with the same words.
/// </summary>
internal static class SampleComposer
{
    public const int MinPerImage = 3;
    public const int MaxPerImage = 6;
    private const int MaxPerTargetAndKind = 2;

    private static readonly Dictionary<ExpressionKind, double> KindWeights = new()
    {
        [ExpressionKind.Attribute] = 0.28,
        [ExpressionKind.Position] = 0.17,
        [ExpressionKind.Relation] = 0.23,
        [ExpressionKind.Ordinal] = 0.12,
        [ExpressionKind.Superlative] = 0.20,
    };

    public static List<ComposedExpression> Compose(Scene scene, IReadOnlyCollection<ExpressionKind> kinds, Random rng)
    {
        var pool = new List<ExpressionCandidate>();
        foreach (var kind in kinds)
        {
            for (var target = 0; target < scene.Objects.Count; target++)
            {
                pool.AddRange(ExpressionGenerator.Candidates(scene, target, kind));
            }
        }
        var wanted = rng.Next(MinPerImage, MaxPerImage + 1);
        var chosen = new List<ComposedExpression>();
        var texts = new HashSet<string>(StringComparer.Ordinal);
        while (chosen.Count < wanted && pool.Count > 0)
        {
            var kind = RandomPick.Weighted(rng, pool.Select(c => c.Expression.Kind).Distinct().Order()
                .Select(k => (k, KindWeights[k] * (chosen.Any(c => c.Expression.Kind == k) ? 0.3 : 1))).ToList());
            var ofKind = pool.Where(c => c.Expression.Kind == kind).ToList();
            var target = RandomPick.Weighted(rng, ofKind.Select(c => c.Target).Distinct().Order()
                .Select(t => (t, chosen.Any(c => c.Target == t) ? 0.25 : 1.0)).ToList());
            var candidate = RandomPick.Weighted(rng, ofKind.Where(c => c.Target == target).Select(c => (c, c.Weight)).ToList());
            pool.Remove(candidate);
            var text = ExpressionPhrasing.Phrase(candidate.Expression, rng);
            if (!texts.Add(text))
            {
                continue;
            }
            chosen.Add(new ComposedExpression(candidate.Target, candidate.Expression, text));
            // At most two expressions per target and kind keeps an image's expressions varied.
            if (chosen.Count(c => c.Target == target && c.Expression.Kind == kind) >= MaxPerTargetAndKind)
            {
                pool.RemoveAll(c => c.Target == target && c.Expression.Kind == kind);
            }
        }
        return chosen;
    }
}
