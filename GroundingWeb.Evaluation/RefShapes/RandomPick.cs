namespace GroundingWeb.Evaluation.RefShapes;

/// <summary>Seeded choices; everything random in RefShapes goes through a <see cref="Random"/> made from an explicit seed.</summary>
internal static class RandomPick
{
    public static T Weighted<T>(Random rng, IReadOnlyList<(T Item, double Weight)> items)
    {
        var total = items.Sum(i => i.Weight);
        var r = rng.NextDouble() * total;
        foreach (var (item, weight) in items)
        {
            r -= weight;
            if (r < 0)
            {
                return item;
            }
        }
        return items[^1].Item;
    }

    public static T One<T>(Random rng, IReadOnlyList<T> items) => items[rng.Next(items.Count)];

    /// <summary>A seed for item <paramref name="index"/> of a run with <paramref name="seed"/> (SplitMix64 finaliser).</summary>
    public static int DeriveSeed(int seed, long index)
    {
        unchecked
        {
            var z = (ulong)seed * 0x9E3779B97F4A7C15UL + (ulong)index + 0x632BE59BD9B4E019UL;
            z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
            z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
            return (int)((z ^ (z >> 31)) & 0x7FFFFFFF);
        }
    }
}
