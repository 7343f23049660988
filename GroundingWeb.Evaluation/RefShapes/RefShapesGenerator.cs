namespace GroundingWeb.Evaluation.RefShapes;

/// <summary>How much RefShapes to generate: a seed (the same seed gives byte-identical files), images, split fractions.</summary>
/// <param name="NegativesPerImage">
/// No-target expressions per image (issue 15): phrases of the split's kinds that refer to nothing in it.
/// 0 reproduces generator 1.0's datasets exactly; the positives do not depend on it.
/// </param>
public sealed record RefShapesOptions(int Seed, int Images, double ValFraction = 0.1, double TestAFraction = 0.1, double TestBFraction = 0.1, int NegativesPerImage = 1)
{
    public void Validate()
    {
        if (NegativesPerImage is < 0 or > 3)
        {
            throw new ArgumentException($"--negatives must be between 0 and 3 per image (got {NegativesPerImage}).");
        }
        if (Images < 1)
        {
            throw new ArgumentException($"--images must be at least 1 (got {Images}).");
        }
        foreach (var (name, value) in new[] { ("--val-fraction", ValFraction), ("--testa-fraction", TestAFraction), ("--testb-fraction", TestBFraction) })
        {
            if (!(value is >= 0 and <= 1))
            {
                throw new ArgumentException($"{name} must be between 0 and 1 (got {value}).");
            }
        }
        if (ValFraction + TestAFraction + TestBFraction > 1)
        {
            throw new ArgumentException("--val-fraction, --testa-fraction and --testb-fraction add up to more than 1: nothing would be left for train.");
        }
    }
}

/// <summary>One generated image of a split with its expressions.</summary>
internal sealed record RefShapesImage(long ImageId, string Split, RenderedScene Rendered, IReadOnlyList<ComposedExpression> Expressions);

/// <summary>
/// RefShapes: synthetic referring expressions over shapes. Image <c>i</c> of a run depends only on the seed
/// and <c>i</c>, so images generate in any order or in parallel and a seed always gives the same dataset.
/// </summary>
internal static class RefShapesGenerator
{
    /// <summary>1.1 added no-target expressions (target -1); with none asked for, its files are 1.0's.</summary>
    public const string Version = "1.1";

    public static readonly string[] Splits = ["train", "val", "testA", "testB"];

    private const int NegativeStream = -1_000_000;

    private static readonly ExpressionKind[] AllKinds = RefShapesVocabulary.Kinds;
    private static readonly ExpressionKind[] AttributeKinds = [ExpressionKind.Attribute];
    private static readonly ExpressionKind[] SpatialKinds = AllKinds.Where(k => k.IsSpatial()).ToArray();

    /// <summary>Consecutive image ids per split, in <see cref="Splits"/> order: train first, testB last.</summary>
    public static IReadOnlyList<(string Split, long First, int Count)> PlanSplits(RefShapesOptions options)
    {
        options.Validate();
        var val = (int)Math.Round(options.Images * options.ValFraction);
        var testA = (int)Math.Round(options.Images * options.TestAFraction);
        var testB = (int)Math.Round(options.Images * options.TestBFraction);
        var train = Math.Max(0, options.Images - val - testA - testB);
        var counts = new[] { train, val, testA, testB };
        var plan = new List<(string, long, int)>();
        long first = 0;
        for (var s = 0; s < Splits.Length; s++)
        {
            plan.Add((Splits[s], first, counts[s]));
            first += counts[s];
        }
        return plan;
    }

    public static IReadOnlyCollection<ExpressionKind> KindsOf(string split) => split switch
    {
        "testA" => AttributeKinds,
        "testB" => SpatialKinds,
        _ => AllKinds,
    };

    public static RefShapesImage GenerateImage(int seed, long imageId, string split, int negatives)
    {
        var imageSeed = RandomPick.DeriveSeed(seed, imageId);
        // A scene without any usable expression of the split's kinds (rare: two identical shapes for
        // testA) is replaced by the next scene of the same image's seed sequence.
        for (var attempt = 0; ; attempt++)
        {
            var rendered = SceneGenerator.Generate(RandomPick.DeriveSeed(imageSeed, attempt));
            var expressions = SampleComposer.Compose(rendered.Scene, KindsOf(split), new Random(RandomPick.DeriveSeed(imageSeed, -1 - attempt)));
            if (expressions.Count > 0)
            {
                // A random stream of their own: the positives are the same with or without negatives.
                var negativeRng = new Random(RandomPick.DeriveSeed(imageSeed, NegativeStream - attempt));
                var texts = expressions.Select(e => e.Text).ToHashSet(StringComparer.Ordinal);
                for (var n = 0; n < negatives; n++)
                {
                    if (NegativeExpressions.Pick(rendered.Scene, KindsOf(split), negativeRng) is { } negative
                        && ExpressionPhrasing.Phrase(negative, negativeRng) is var text && texts.Add(text))
                    {
                        expressions.Add(new ComposedExpression(ComposedExpression.NoTarget, negative, text));
                    }
                }
                return new RefShapesImage(imageId, split, rendered, expressions);
            }
        }
    }
}
