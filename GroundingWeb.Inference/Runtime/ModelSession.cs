using Microsoft.ML.OnnxRuntime;

namespace GroundingWeb.Inference.Runtime;

/// <summary>
/// One ONNX file's <see cref="InferenceSession"/>, held for the life of the process (sessions are
/// expensive to create and safe to run from many threads).
/// </summary>
internal sealed class ModelSession : IDisposable
{
    public ModelSession(string path, ExecutionProviderSelector providers)
    {
        Path = path;
        using var options = providers.CreateSessionOptions();
        try
        {
            Session = new InferenceSession(path, options);
        }
        catch (OnnxRuntimeException ex)
        {
            throw new InvalidOperationException($"ONNX Runtime cannot load {path}: {ex.Message}", ex);
        }
        Provider = providers.Provider;
        ThreadPool = providers.ThreadPool;
    }

    public string Path { get; }
    public string Provider { get; }
    public string ThreadPool { get; }
    public InferenceSession Session { get; }

    public IReadOnlyDictionary<string, NodeMetadata> Inputs => Session.InputMetadata;
    public IReadOnlyDictionary<string, NodeMetadata> Outputs => Session.OutputMetadata;

    public void Dispose() => Session.Dispose();
}
