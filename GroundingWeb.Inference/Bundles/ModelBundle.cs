using GroundingWeb.Inference.Imaging;
using GroundingWeb.Inference.Runtime;
using GroundingWeb.Inference.Text;

namespace GroundingWeb.Inference.Bundles;

/// <summary>A validated bundle with its three ONNX sessions open, ready to run.</summary>
public sealed class ModelBundle : IDisposable
{
    public required string Directory { get; init; }
    public required BundleManifest Manifest { get; init; }
    public required ModelSession Vision { get; init; }
    public required ModelSession Text { get; init; }
    public required ModelSession Fusion { get; init; }
    public required WordPieceTokenizer Tokenizer { get; init; }
    public required ImagePreprocessing Preprocessing { get; init; }

    /// <summary>The execution provider all three sessions run on ("CUDA" or "CPU").</summary>
    public string Provider => Fusion.Provider;

    public void Dispose()
    {
        Vision.Dispose();
        Text.Dispose();
        Fusion.Dispose();
    }
}
