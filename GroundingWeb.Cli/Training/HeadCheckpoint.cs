using GroundingWeb.Cli.Features;
using GroundingWeb.Authoring.Onnx;

namespace GroundingWeb.Cli.Training;

/// <summary>
/// A fusion head's weights as safetensors (float32, names from <see cref="FusionHeadWeights"/>) with its
/// config JSON and free-form provenance in <c>__metadata__</c>. <see cref="Read"/> also takes a fusion.onnx
/// that GroundingWeb wrote (weights and config, no provenance).
/// </summary>
internal static class HeadCheckpoint
{
    public const string HistoryKey = "history";
    public const string TrainedOnKey = "trained_on";
    public const string CommandKey = "command";
    public const string EpochKey = "epoch";

    /// <summary>The presence probability threshold training chose on val (a head with a presence head).</summary>
    public const string PresenceThresholdKey = "presence_threshold";

    public static void Write(string path, FusionHeadWeights weights, IReadOnlyDictionary<string, string> metadata)
    {
        var all = new Dictionary<string, string>(metadata) { [FusionHeadConfig.MetadataKey] = weights.Config.ToJson() };
        SafeTensorsFile.Write(path, weights.Tensors.Select(t => SafeTensor.FromFloats(t.Name, t.Shape.Select(d => (long)d).ToArray(), t.Data)), all);
    }

    public static (FusionHeadWeights Weights, Dictionary<string, string> Metadata) Read(string path)
    {
        if (!File.Exists(path))
        {
            throw new FileNotFoundException($"Checkpoint '{path}' does not exist.");
        }
        if (path.EndsWith(".onnx", StringComparison.OrdinalIgnoreCase))
        {
            // A bundle's fusion.onnx written by us (its config in the metadata, weights by PyTorch name):
            // a committed head can be fine-tuned without its training run's checkpoint.
            var model = File.ReadAllBytes(path);
            var onnxConfig = FusionHeadOnnxWriter.ReadConfig(model);
            return (FusionHeadSplit.ReadWeights(model, onnxConfig), new Dictionary<string, string> { [TrainedOnKey] = $"the fusion head {Path.GetFullPath(path)}" });
        }
        var (tensors, metadata) = SafeTensorsFile.Read(path);
        if (!metadata.TryGetValue(FusionHeadConfig.MetadataKey, out var json))
        {
            throw new InvalidDataException($"'{path}' has no '{FusionHeadConfig.MetadataKey}' metadata: it is not a fusion-head checkpoint of `grounding train`.");
        }
        var config = FusionHeadConfig.FromJson(json);
        var named = tensors.Values.Select(t => new NamedTensor(t.Name, t.Shape.Select(d => checked((int)d)).ToArray(), t.ToFloats()));
        try
        {
            return (new FusionHeadWeights(config, named), metadata);
        }
        catch (ArgumentException ex)
        {
            throw new InvalidDataException($"'{path}': {ex.Message}", ex);
        }
    }
}
