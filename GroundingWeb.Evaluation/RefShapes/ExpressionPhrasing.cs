namespace GroundingWeb.Evaluation.RefShapes;

/// <summary>
/// Words for a structured expression: short, regular English with a few templates per kind
/// ("the red circle", "red circle", "the circle that is red").
/// </summary>
internal static class ExpressionPhrasing
{
    private static readonly string[] Ordinals = ["first", "second", "third", "fourth", "fifth", "sixth"];

    public static string Phrase(ReferringExpression expression, Random rng) => expression switch
    {
        AttributeExpression a => Attribute(a.Filter, rng),
        PositionExpression p => $"{Article(rng)}{NounPhrase(p.Filter)} {Pick(rng, RegionWords(p.Region))}",
        RelationExpression r => $"{Article(rng)}{NounPhrase(r.Filter)} {Pick(rng, RelationWords(r.Relation))} the {NounPhrase(r.Reference)}",
        OrdinalExpression o => $"the {Ordinals[o.Index - 1]} {NounPhrase(o.Filter)} from the {DirectionWord(o.Direction)}",
        SuperlativeExpression s => Superlative(s, rng),
        _ => throw new ArgumentOutOfRangeException(nameof(expression), expression, "Unknown expression kind."),
    };

    /// <summary>"small red circle"; "shape" stands in for a filter without a shape.</summary>
    public static string NounPhrase(ObjectFilter filter) =>
        string.Join(' ', Adjectives(filter).Append(filter.Shape?.Name() ?? "shape"));

    private static IEnumerable<string> Adjectives(ObjectFilter filter)
    {
        if (filter.Size is { } size) yield return size.Name();
        if (filter.Color is { } color) yield return color.Name();
    }

    private static string Attribute(ObjectFilter filter, Random rng)
    {
        var adjectives = Adjectives(filter).ToList();
        return rng.Next(adjectives.Count > 0 ? 4 : 3) switch
        {
            0 or 1 => $"the {NounPhrase(filter)}",
            2 => NounPhrase(filter),
            _ => $"the {filter.Shape?.Name() ?? "shape"} that is {string.Join(" and ", adjectives)}",
        };
    }

    private static string Superlative(SuperlativeExpression s, Random rng)
    {
        var words = s.Extreme switch
        {
            Extreme.Leftmost => new[] { "leftmost" },
            Extreme.Rightmost => ["rightmost"],
            Extreme.Topmost => ["topmost", "highest"],
            Extreme.Lowest => ["lowest", "bottom"],
            Extreme.Biggest => ["biggest", "largest"],
            _ => ["smallest"],
        };
        return $"the {Pick(rng, words)} {NounPhrase(s.Filter)}";
    }

    private static string[] RegionWords(Region region) => region switch
    {
        Region.Left => ["on the left", "on the left side"],
        Region.Right => ["on the right", "on the right side"],
        Region.Top => ["at the top"],
        Region.Bottom => ["at the bottom"],
        Region.TopLeft => ["in the top left", "in the top left corner"],
        Region.TopRight => ["in the top right", "in the top right corner"],
        Region.BottomLeft => ["in the bottom left", "in the bottom left corner"],
        Region.BottomRight => ["in the bottom right", "in the bottom right corner"],
        _ => ["in the middle", "in the center"],
    };

    private static string[] RelationWords(Relation relation) => relation switch
    {
        Relation.LeftOf => ["left of", "to the left of"],
        Relation.RightOf => ["right of", "to the right of"],
        Relation.Above => ["above"],
        Relation.Below => ["below", "under"],
        _ => ["next to", "closest to"],
    };

    private static string DirectionWord(Direction direction) => direction switch
    {
        Direction.FromLeft => "left",
        Direction.FromRight => "right",
        Direction.FromTop => "top",
        _ => "bottom",
    };

    private static string Article(Random rng) => rng.Next(5) == 0 ? "" : "the ";

    private static string Pick(Random rng, string[] words) => words[rng.Next(words.Length)];
}
