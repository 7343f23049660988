using GroundingWeb.Inference.Imaging;
using GroundingWeb.Inference.Runtime;
using GroundingWeb.Inference.Text;

namespace GroundingWeb.Inference.Bundles;

/// <summary>
/// A validated bundle with its ONNX sessions open (vision, text, and the fusion head whole or split), shared by every pipeline that runs on it.
/// Reference-counted: the loader hands out the first reference, each sharer takes one more, and the
/// sessions close when the last one is released, never while a call still runs on them.
/// </summary>
internal sealed class ModelBundle : IDisposable
{
    /// <summary>How long closing waits for calls still running on the sessions.</summary>
    private static readonly TimeSpan CallDrainTimeout = TimeSpan.FromMinutes(1);

    // A monitor rather than a Lock: closing waits on it for running calls to end.
    private readonly object _gate = new();
    private int _references = 1;
    private int _runningCalls;
    private bool _closing;

    public required string Directory { get; init; }
    public required BundleManifest Manifest { get; init; }
    public required ModelSession Vision { get; init; }
    public required ModelSession Text { get; init; }

    /// <summary>The whole fusion graph; null when the bundle gives the split form.</summary>
    public ModelSession? Fusion { get; init; }

    /// <summary>The split form's image side (once per image) and prompt side; null for a whole graph.</summary>
    public ModelSession? FusionImageSide { get; init; }

    /// <inheritdoc cref="FusionImageSide"/>
    public ModelSession? FusionPromptSide { get; init; }

    public bool SplitFusion => FusionImageSide is not null;

    /// <summary>How the fusion head runs and what the image-token cache keeps per image, in words.</summary>
    public string FusionForm
    {
        get
        {
            var tokensKb = (long)Manifest.Vision.Tokens * Manifest.Vision.Width * sizeof(float) / 1024;
            if (FusionImageSide is null) return $"whole graph; the cache keeps the image tokens, {tokensKb:N0} KB per image";
            // [L, B, H, hd, N] with N = the image's tokens; L, H and hd are fixed by our writer.
            var dims = FusionImageSide.Outputs[FusionHeadManifest.CrossKeys].Dimensions;
            var perImage = dims[0] > 0 && dims[2] > 0 && dims[3] > 0
                ? $"{2L * dims[0] * dims[2] * dims[3] * Manifest.Vision.Tokens * sizeof(float) / 1024:N0} KB per image"
                : "a size the graph does not fix";
            return $"split: image side once per image, prompt side per prompt; the cache keeps every layer's cross-attention keys and values (float32), {perImage}, instead of the image tokens ({tokensKb:N0} KB)";
        }
    }

    public required WordPieceTokenizer Tokenizer { get; init; }
    public required ImagePreprocessing Preprocessing { get; init; }

    /// <summary>The execution provider all sessions run on ("CUDA" or "CPU").</summary>
    public string Provider => Vision.Provider;

    /// <summary>The threads the sessions run on, in words.</summary>
    public string ThreadPool => Vision.ThreadPool;

    /// <summary>True once the sessions are closed or closing: no new call may start.</summary>
    public bool IsClosed { get { lock (_gate) return _closing; } }

    /// <summary>Takes one more reference; false when the sessions are already closed.</summary>
    public bool TryRetain()
    {
        lock (_gate)
        {
            if (_closing)
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
            if (_closing || --_references > 0)
            {
                return;
            }
            _closing = true;
        }
        CloseSessions();
    }

    /// <summary>
    /// Marks a call on the sessions, so that closing them waits for it: closing a session under a
    /// running call frees native memory the call still uses.
    /// </summary>
    /// <exception cref="ObjectDisposedException">The sessions are closed.</exception>
    public CallScope EnterCall()
    {
        lock (_gate)
        {
            ObjectDisposedException.ThrowIf(_closing, this);
            _runningCalls++;
        }
        return new CallScope(this);
    }

    /// <summary>Closes the sessions whatever still holds a reference (the owner is shutting down), once running calls have ended.</summary>
    public void Dispose()
    {
        lock (_gate)
        {
            if (_closing)
            {
                return;
            }
            _closing = true;
        }
        CloseSessions();
    }

    private void ExitCall()
    {
        lock (_gate)
        {
            _runningCalls--;
            Monitor.PulseAll(_gate);
        }
    }

    private void CloseSessions()
    {
        lock (_gate)
        {
            var deadline = DateTime.UtcNow + CallDrainTimeout;
            while (_runningCalls > 0)
            {
                var left = deadline - DateTime.UtcNow;
                if (left <= TimeSpan.Zero)
                {
                    // A call that hangs this long keeps its sessions: leaking them beats freeing memory under it.
                    return;
                }
                Monitor.Wait(_gate, left);
            }
        }
        Vision.Dispose();
        Text.Dispose();
        Fusion?.Dispose();
        FusionImageSide?.Dispose();
        FusionPromptSide?.Dispose();
    }

    /// <summary>Ends the call it marks when disposed.</summary>
    public readonly struct CallScope(ModelBundle bundle) : IDisposable
    {
        public void Dispose() => bundle.ExitCall();
    }
}
