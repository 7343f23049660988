using GroundingWeb.Cli.Features;
using GroundingWeb.Cli.Training;
using GroundingWeb.Tests.Support;

namespace GroundingWeb.Tests.Training;

public class FeatureDatasetTests
{
    [Fact]
    public void SplitsOfDifferentEncodersAreNotTrainedTogether()
    {
        using var folder = new TempFolder();
        WriteManifest(folder.File("a"), imageDim: 850);
        WriteManifest(folder.File("b"), imageDim: 768);

        var error = Assert.Throws<InvalidDataException>(() => FeatureDataset.Load([(folder.File("a"), "train"), (folder.File("b"), "train")]));

        Assert.Contains(Path.Combine(folder.File("b"), FeaturesManifest.FileName), error.Message);
        Assert.Contains("same encoders", error.Message);
    }

    [Fact]
    public void NoSplitsIsAnError() =>
        Assert.Throws<ArgumentException>(() => FeatureDataset.Load([]));

    private static void WriteManifest(string directory, int imageDim)
    {
        Directory.CreateDirectory(directory);
        new FeaturesManifest { BundleName = "demo", BundleVersion = "1.0.0", ImageTokens = 196, ImageDim = imageDim, TextDim = 384 }.Write(directory);
    }
}
