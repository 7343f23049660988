using GroundingWeb.Cli.Training;

namespace GroundingWeb.Tests.Training;

/// <summary>
/// Cached-feature stand-ins whose target box is a learnable function of the inputs: the box's
/// coordinates are written, scaled, into the first text token, plus noise everywhere else.
/// </summary>
internal static class SyntheticFeatures
{
    /// <param name="noTargetShare">Share of samples that refer to nothing (null box); the first text token's fifth value says which, so presence is learnable.</param>
    /// <param name="presenceNoise">Uniform noise of this half-width added to that value, so that presence is only partly separable and AUROC stays below 1.</param>
    public static FeatureDataset Create(int samples, int imageTokens, int imageDim, int textDim, int seed, double noTargetShare = 0, double presenceNoise = 0)
    {
        var random = new Random(seed);
        Half Noise(double scale) => (Half)((random.NextDouble() * 2 - 1) * scale);
        var images = Enumerable.Range(0, Math.Max(1, samples / 3))
            .Select(_ => Enumerable.Range(0, imageTokens * imageDim).Select(_ => Noise(1)).ToArray()).ToList();
        var texts = new List<Half[]>();
        var boxes = new List<float[]?>();
        var imageOf = new List<int>();
        for (var i = 0; i < samples; i++)
        {
            var x = 0.1f + 0.5f * (float)random.NextDouble();
            var y = 0.1f + 0.5f * (float)random.NextDouble();
            float[] box = [x, y, x + 0.1f + 0.25f * (float)random.NextDouble(), y + 0.1f + 0.25f * (float)random.NextDouble()];
            var length = 2 + random.Next(4);
            var text = Enumerable.Range(0, length * textDim).Select(_ => Noise(0.3)).ToArray();
            for (var k = 0; k < 4; k++)
            {
                text[k] = (Half)(box[k] * 4 - 2);
            }
            var noTarget = random.NextDouble() < noTargetShare;
            if (noTargetShare > 0)
            {
                text[4] = (Half)((noTarget ? -2 : 2) + (float)Noise(presenceNoise));
            }
            texts.Add(text);
            boxes.Add(noTarget ? null : box);
            imageOf.Add(i % images.Count);
        }
        return new FeatureDataset(imageTokens, imageDim, textDim, images, texts, imageOf, boxes);
    }
}
