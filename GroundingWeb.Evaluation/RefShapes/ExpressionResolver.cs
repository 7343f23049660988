namespace GroundingWeb.Evaluation.RefShapes;

/// <summary>How clearly a predicate holds for one object: near a threshold it is neither true nor false.</summary>
internal enum Truth { No, Unclear, Yes }

/// <summary>
/// What an expression picks out of a scene: the objects it clearly matches and those it might match.
/// An expression is usable only when it clearly matches its target alone and nothing is unclear.
/// </summary>
internal sealed record Resolution(IReadOnlyList<int> Matches, IReadOnlyList<int> Unclear)
{
    public bool Selects(int target) => Matches.Count == 1 && Matches[0] == target && Unclear.Count == 0;
}

/// <summary>
/// The meaning of every expression kind, with margins so that no emitted expression depends on a
/// few pixels. Positions use box centres; x tolerances are shares of the width, y of the height.
/// </summary>
internal static class ExpressionResolver
{
    /// <summary>Regions are the image's thirds; a centre this close to a boundary (share of the axis) is unclear.</summary>
    public const double RegionTolerance = 0.04;

    /// <summary>"left of": the centre is at least this far (share of the axis) left of the reference's; between 0 and this, unclear.</summary>
    public const double RelationMargin = 0.06;

    /// <summary>Ordinals and left/right/top/bottom superlatives need neighbours' centres this far apart (share of the axis).</summary>
    public const double OrderGap = 0.05;

    /// <summary>"next to": the nearest object to the reference must be at most this share of the second nearest's distance.</summary>
    public const double NearestRatio = 0.7;

    /// <summary>"biggest"/"smallest": extents must differ by at least this factor.</summary>
    public const double SizeRatio = 1.25;

    public static Resolution Resolve(Scene scene, ReferringExpression expression)
    {
        var truths = Evaluate(scene, expression);
        return new Resolution(
            Enumerable.Range(0, truths.Length).Where(i => truths[i] == Truth.Yes).ToList(),
            Enumerable.Range(0, truths.Length).Where(i => truths[i] == Truth.Unclear).ToList());
    }

    private static Truth[] Evaluate(Scene scene, ReferringExpression expression)
    {
        var objects = scene.Objects;
        var truths = new Truth[objects.Count];
        var candidates = Enumerable.Range(0, objects.Count).Where(i => expression.Filter.Matches(objects[i])).ToList();
        switch (expression)
        {
            case AttributeExpression:
                candidates.ForEach(i => truths[i] = Truth.Yes);
                break;
            case PositionExpression p:
                candidates.ForEach(i => truths[i] = InRegion(scene, objects[i], p.Region));
                break;
            case RelationExpression r:
                var references = Enumerable.Range(0, objects.Count).Where(i => r.Reference.Matches(objects[i])).ToList();
                if (references.Count == 1)
                {
                    candidates.Where(i => i != references[0]).ToList()
                        .ForEach(i => truths[i] = Related(scene, i, r.Relation, references[0]));
                }
                break;
            case OrdinalExpression o:
                Rank(candidates, truths, o.Index, i => Coordinate(scene, objects[i], o.Direction), OrderGap);
                break;
            case SuperlativeExpression s:
                Superlative(scene, candidates, truths, s.Extreme);
                break;
            default:
                throw new ArgumentOutOfRangeException(nameof(expression), expression, "Unknown expression kind.");
        }
        return truths;
    }

    private static Truth InRegion(Scene scene, SceneObject o, Region region)
    {
        var (x, y) = (o.X / scene.Width, o.Y / scene.Height);
        var left = Below(x, 1 / 3.0);
        var right = Below(-x, -2 / 3.0);
        var top = Below(y, 1 / 3.0);
        var bottom = Below(-y, -2 / 3.0);
        return region switch
        {
            Region.Left => left,
            Region.Right => right,
            Region.Top => top,
            Region.Bottom => bottom,
            Region.TopLeft => And(top, left),
            Region.TopRight => And(top, right),
            Region.BottomLeft => And(bottom, left),
            Region.BottomRight => And(bottom, right),
            Region.Middle => And(And(Not(left), Not(right)), And(Not(top), Not(bottom))),
            _ => throw new ArgumentOutOfRangeException(nameof(region), region, null),
        };
    }

    private static Truth Below(double value, double bound) =>
        value <= bound - RegionTolerance ? Truth.Yes : value >= bound + RegionTolerance ? Truth.No : Truth.Unclear;

    private static Truth And(Truth a, Truth b) => (Truth)Math.Min((int)a, (int)b);

    private static Truth Not(Truth a) => (Truth)(2 - (int)a);

    private static Truth Related(Scene scene, int subject, Relation relation, int reference)
    {
        var (s, r) = (scene.Objects[subject], scene.Objects[reference]);
        var offset = relation switch
        {
            Relation.LeftOf => (r.X - s.X) / scene.Width,
            Relation.RightOf => (s.X - r.X) / scene.Width,
            Relation.Above => (r.Y - s.Y) / scene.Height,
            Relation.Below => (s.Y - r.Y) / scene.Height,
            _ => double.NaN,
        };
        if (relation != Relation.NextTo)
        {
            return offset >= RelationMargin ? Truth.Yes : offset <= 0 ? Truth.No : Truth.Unclear;
        }
        // Nearest to the reference among all other objects, clearly nearer than the runner-up.
        var byDistance = Enumerable.Range(0, scene.Objects.Count).Where(i => i != reference)
            .OrderBy(i => Distance(scene.Objects[i], r)).ToList();
        var clear = byDistance.Count == 1 || Distance(scene.Objects[byDistance[0]], r) <= NearestRatio * Distance(scene.Objects[byDistance[1]], r);
        return byDistance[0] == subject ? (clear ? Truth.Yes : Truth.Unclear)
            : !clear && byDistance[1] == subject ? Truth.Unclear : Truth.No;
    }

    private static double Distance(SceneObject a, SceneObject b) => Math.Sqrt((a.X - b.X) * (a.X - b.X) + (a.Y - b.Y) * (a.Y - b.Y));

    /// <summary>Position along a direction as a share of that axis, growing away from where counting starts.</summary>
    private static double Coordinate(Scene scene, SceneObject o, Direction direction) => direction switch
    {
        Direction.FromLeft => o.X / scene.Width,
        Direction.FromRight => 1 - o.X / scene.Width,
        Direction.FromTop => o.Y / scene.Height,
        Direction.FromBottom => 1 - o.Y / scene.Height,
        _ => throw new ArgumentOutOfRangeException(nameof(direction), direction, null),
    };

    /// <summary>
    /// The candidate ranked <paramref name="index"/> (1-based, ascending key) is the match; if a neighbour in
    /// the ranking is within <paramref name="gap"/> (or the ratio for sizes), both are unclear instead.
    /// </summary>
    private static void Rank(List<int> candidates, Truth[] truths, int index, Func<int, double> key, double gap, bool ratio = false)
    {
        if (index < 1 || index > candidates.Count)
        {
            return;
        }
        var ranked = candidates.OrderBy(key).ToList();
        bool Close(int a, int b) => ratio ? key(ranked[b]) < key(ranked[a]) * gap : key(ranked[b]) - key(ranked[a]) < gap;
        var k = index - 1;
        var closeBefore = k > 0 && Close(k - 1, k);
        var closeAfter = k + 1 < ranked.Count && Close(k, k + 1);
        truths[ranked[k]] = closeBefore || closeAfter ? Truth.Unclear : Truth.Yes;
        if (closeBefore) truths[ranked[k - 1]] = Truth.Unclear;
        if (closeAfter) truths[ranked[k + 1]] = Truth.Unclear;
    }

    private static void Superlative(Scene scene, List<int> candidates, Truth[] truths, Extreme extreme)
    {
        var objects = scene.Objects;
        switch (extreme)
        {
            case Extreme.Biggest:
                Rank(candidates, truths, 1, i => 1 / objects[i].Extent, SizeRatio, ratio: true);
                break;
            case Extreme.Smallest:
                Rank(candidates, truths, 1, i => objects[i].Extent, SizeRatio, ratio: true);
                break;
            default:
                var direction = extreme switch
                {
                    Extreme.Leftmost => Direction.FromLeft,
                    Extreme.Rightmost => Direction.FromRight,
                    Extreme.Topmost => Direction.FromTop,
                    _ => Direction.FromBottom,
                };
                Rank(candidates, truths, 1, i => Coordinate(scene, objects[i], direction), OrderGap);
                break;
        }
    }
}
