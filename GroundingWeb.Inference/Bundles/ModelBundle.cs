using GroundingWeb.Inference.Imaging;
using GroundingWeb.Inference.Runtime;
using GroundingWeb.Inference.Text;

namespace GroundingWeb.Inference.Bundles;

/// <summary>
/// A validated bundle with its three ONNX sessions open, shared by every pipeline that runs on it.
/// Reference-counted: the loader hands out the first reference, each sharer takes one more, and the
/// sessions close when the last one is released, never while a call still runs on them.
/// </summary>
internal sealed class ModelBundle : IDisposable
{
    private readonly Lock _gate = new();
    private int _references = 1;

    public required string Directory { get; init; }
    public required BundleManifest Manifest { get; init; }
    public required ModelSession Vision { get; init; }
    public required ModelSession Text { get; init; }
    public required ModelSession Fusion { get; init; }
    public required WordPieceTokenizer Tokenizer { get; init; }
    public required ImagePreprocessing Preprocessing { get; init; }

    /// <summary>The execution provider all three sessions run on ("CUDA" or "CPU").</summary>
    public string Provider => Fusion.Provider;

    /// <summary>True once the sessions are closed.</summary>
    public bool IsClosed { get { lock (_gate) return _references == 0; } }

    /// <summary>Takes one more reference; false when the sessions are already closed.</summary>
    public bool TryRetain()
    {
        lock (_gate)
        {
            if (_references == 0)
            {
                return false;
            }
            _references++;
            return true;
        }
    }

    /// <summary>Gives one reference back; the last one closes the sessions.</summary>
    public void Release()
    {
        lock (_gate)
        {
            if (_references == 0 || --_references > 0)
            {
                return;
            }
        }
        CloseSessions();
    }

    /// <summary>Closes the sessions now, whatever still holds a reference (the owner is shutting down).</summary>
    public void Dispose()
    {
        lock (_gate)
        {
            if (_references == 0)
            {
                return;
            }
            _references = 0;
        }
        CloseSessions();
    }

    private void CloseSessions()
    {
        Vision.Dispose();
        Text.Dispose();
        Fusion.Dispose();
    }
}
