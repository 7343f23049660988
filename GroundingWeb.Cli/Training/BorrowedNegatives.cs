namespace GroundingWeb.Cli.Training;

/// <summary>
/// No-target samples for data that has none of its own (RefCOCO): an image paired with an expression
/// borrowed from another image whose referred object's category is not among the categories referred to in
/// this image. What an image holds is known only from its own referred objects, so an unreferred object of
/// the borrowed category can still be in it: a little label noise, the price of borrowing.
/// </summary>
internal static class BorrowedNegatives
{
    /// <summary>Draws per image before giving up on finding a donor of another category.</summary>
    private const int Attempts = 32;

    /// <summary>
    /// Adds up to <paramref name="perImage"/> borrowed negatives to every image with at least one referred
    /// object of a known category; the same seed draws the same pairs. Returns the pairs added, in order.
    /// </summary>
    public static IReadOnlyList<(int Image, int Donor)> Add(FeatureDataset data, int perImage, int seed)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(perImage);
        if (perImage == 0)
        {
            return [];
        }
        var donors = Enumerable.Range(0, data.Count).Where(s => data.HasTarget(s) && data.CategoryOf(s) is not null).ToArray();
        if (donors.Length == 0)
        {
            throw new InvalidDataException(
                "Borrowed negatives need the category of each referred object (RefCOCO's category, a JSON Lines 'category'), and these features name none; " +
                "extract features from a dataset that has them, or give the data its own no-target samples (a null box; RefShapes: synth --negatives).");
        }
        var referred = new HashSet<string>[data.ImageCount];
        foreach (var s in donors)
        {
            (referred[data.ImageOf(s)] ??= []).Add(data.CategoryOf(s)!);
        }
        var random = new Random(seed);
        var added = new List<(int, int)>();
        for (var image = 0; image < referred.Length; image++)
        {
            if (referred[image] is not { } present)
            {
                continue;
            }
            var used = new HashSet<int>();
            for (var attempt = 0; attempt < Attempts && used.Count < perImage; attempt++)
            {
                var donor = donors[random.Next(donors.Length)];
                if (data.ImageOf(donor) != image && !present.Contains(data.CategoryOf(donor)!) && used.Add(donor))
                {
                    data.AddNegative(image, donor);
                    added.Add((image, donor));
                }
            }
        }
        return added;
    }
}
