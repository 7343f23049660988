using System.Reflection;

namespace GroundingWeb.Tests.Hosting;

/// <summary>
/// The serving library's public surface, listed: a type that becomes public (or stops being) fails
/// here, so the change is made on purpose. Plumbing (sessions, caches, loaders, tokenizer,
/// preprocessing, atomic files) stays internal.
/// </summary>
public sealed class PublicSurfaceTests
{
    private static readonly string[] Inference =
    [
        "Bundles.BundleException", "Bundles.BundleFile", "Bundles.BundleFiles", "Bundles.BundleManifest", "Bundles.FileChecksum", "Bundles.EpochRecord", "Bundles.FileSource", "Bundles.FusionHeadManifest",
        "Bundles.IBundlePreparer", "Bundles.PresenceManifest", "Bundles.PreprocessingManifest", "Bundles.Provenance", "Bundles.SplitMetrics", "Bundles.TextEncoderManifest",
        "Bundles.TokenizerManifest", "Bundles.VisionEncoderManifest",
        "Geometry.Box", "Geometry.BoxMath",
        "Hosting.BundlePathResolver", "Hosting.GroundingEngine", "Hosting.InferenceServiceCollectionExtensions",
        "Imaging.ImageDecodeException", "Imaging.ImageDecoder", "Imaging.ImageLimits", "Imaging.ImageProblem", "Imaging.RgbImage",
        "Pipeline.GroundingInputException", "Pipeline.GroundingPipeline", "Pipeline.GroundingResult", "Pipeline.ImageCropper",
        "Pipeline.ImageTokens", "Pipeline.PreparedImage", "Pipeline.PromptPrediction", "Pipeline.StageTimings", "Pipeline.TextTokens",
        "Runtime.ExecutionProviderPreference", "Runtime.InferenceOptions",
    ];

    [Fact]
    public void TheInferenceLibraryExposesExactlyItsListedTypes()
    {
        var assembly = typeof(GroundingWeb.Inference.Pipeline.GroundingPipeline).Assembly;

        var exported = assembly.GetExportedTypes().Select(t => t.FullName!["GroundingWeb.Inference.".Length..]).Order(StringComparer.Ordinal);

        Assert.Equal(Inference.Order(StringComparer.Ordinal), exported);
        // 36 since evaluation prepares the next image while the models run (PreparedImage); 37 with the
        // manifest's presence section (issue 15), which is contract, not plumbing.
        Assert.InRange(Inference.Length, 1, 37);
    }

    [Theory]
    [InlineData("GroundingWeb.Inference")]
    [InlineData("GroundingWeb.Evaluation")]
    [InlineData("GroundingWeb.Authoring")]
    public void LibrariesOpenTheirInternalsToTheTestsOnly(string library)
    {
        var assembly = Assembly.Load(library);

        var friends = assembly.GetCustomAttributes<System.Runtime.CompilerServices.InternalsVisibleToAttribute>().Select(a => a.AssemblyName);

        Assert.Equal(["GroundingWeb.Tests"], friends);
    }

    [Fact]
    public void ReferencesPointOneWayFromTheAppsToTheLibraries()
    {
        static string[] References(string name) =>
            Assembly.Load(name).GetReferencedAssemblies().Select(a => a.Name!).Where(n => n.StartsWith("GroundingWeb", StringComparison.Ordinal) || n == "grounding").Order().ToArray();

        Assert.Empty(References("GroundingWeb.Inference"));
        Assert.Equal(["GroundingWeb.Inference"], References("GroundingWeb.Evaluation"));
        Assert.Equal(["GroundingWeb.Inference"], References("GroundingWeb.Authoring"));
    }

    [Fact]
    public void TheServingLibraryUsesOnlyTheRuntimeTokenizerImagingAndOnnxSchemaPackages()
    {
        string[] allowed = ["System", "Microsoft.ML.OnnxRuntime", "Microsoft.ML.Tokenizers", "SixLabors.ImageSharp", "Microsoft.Extensions.", "OnnxSharp", "Google.Protobuf", "netstandard"];

        var references = typeof(GroundingWeb.Inference.Pipeline.GroundingPipeline).Assembly.GetReferencedAssemblies().Select(a => a.Name!);

        Assert.All(references, name => Assert.Contains(allowed, prefix => name.StartsWith(prefix, StringComparison.Ordinal)));
    }
}
