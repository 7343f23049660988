using GroundingWeb.Cli.Training;

namespace GroundingWeb.Tests.Training;

public class BorrowedNegativesTests
{
    // Images 0-3 refer to: cat; dog; cat and dog; bird. Image 4 has only a sample without a category.
    private static readonly (int Image, string? Category)[] Samples =
        [(0, "cat"), (0, "cat"), (1, "dog"), (2, "cat"), (2, "dog"), (3, "bird"), (3, "bird"), (4, null)];

    private static FeatureDataset Create(bool withCategories = true)
    {
        const int tokens = 2, imageDim = 3, textDim = 4;
        var images = Enumerable.Range(0, 5).Select(i => Enumerable.Repeat((Half)i, tokens * imageDim).ToArray()).ToList();
        var texts = Samples.Select((_, i) => Enumerable.Repeat((Half)i, textDim).ToArray()).ToList();
        var boxes = Samples.Select(_ => (float[]?)[0.1f, 0.1f, 0.5f, 0.5f]).ToList();
        var categories = Samples.Select(s => withCategories ? s.Category : null).ToList();
        return new FeatureDataset(tokens, imageDim, textDim, images, texts, Samples.Select(s => s.Image).ToList(), boxes, categories);
    }

    [Fact]
    public void EveryBorrowedExpressionNamesACategoryTheImageDoesNotReferTo()
    {
        using var data = Create();

        var pairs = BorrowedNegatives.Add(data, perImage: 2, seed: 7);

        Assert.NotEmpty(pairs);
        foreach (var (image, donor) in pairs)
        {
            Assert.NotEqual(image, data.ImageOf(donor));
            var referred = Samples.Where(s => s.Image == image).Select(s => s.Category);
            Assert.DoesNotContain(data.CategoryOf(donor), referred);
        }
        // The image referring to cats and dogs can only borrow the birds.
        Assert.All(pairs.Where(p => p.Image == 2), p => Assert.Equal("bird", data.CategoryOf(p.Donor)));
        Assert.All(pairs.GroupBy(p => p.Image), g => Assert.InRange(g.Count(), 1, 2));
        // An image whose objects have no known category gets none: nothing says what it holds.
        Assert.DoesNotContain(pairs, p => p.Image == 4);
    }

    [Fact]
    public void BorrowedSamplesAreNoTargetSamplesOfTheirImage()
    {
        using var data = Create();

        var pairs = BorrowedNegatives.Add(data, perImage: 1, seed: 3);

        Assert.Equal(Samples.Length + pairs.Count, data.Count);
        Assert.Equal(pairs.Count, data.NoTargetCount);
        for (var k = 0; k < pairs.Count; k++)
        {
            var sample = Samples.Length + k;
            Assert.False(data.HasTarget(sample));
            Assert.Equal(pairs[k].Image, data.ImageOf(sample));
        }
        using var batch = data.MakeBatch([Samples.Length], TorchSharp.torch.CPU);
        Assert.Equal(0, batch.Positives);
        Assert.Equal(0f, batch.Present[0].item<float>());
        // The text is the donor's tokens (each sample's tokens hold its index).
        Assert.Equal(pairs[0].Donor, batch.Text[0, 0, 0].item<float>());
    }

    [Fact]
    public void TheSameSeedDrawsTheSamePairs()
    {
        using var a = Create();
        using var b = Create();
        using var c = Create();

        Assert.Equal(BorrowedNegatives.Add(a, 2, seed: 11), BorrowedNegatives.Add(b, 2, seed: 11));
        Assert.Empty(BorrowedNegatives.Add(c, 0, seed: 11));
        Assert.Equal(0, c.NoTargetCount);
    }

    [Fact]
    public void DataWithoutCategoriesIsRefusedWithTheReason()
    {
        using var data = Create(withCategories: false);

        var error = Assert.Throws<InvalidDataException>(() => BorrowedNegatives.Add(data, 1, seed: 1));

        Assert.Contains("category", error.Message);
        Assert.Contains("--negatives", error.Message);
    }
}
