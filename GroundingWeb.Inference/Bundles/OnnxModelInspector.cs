using Google.Protobuf;
using Onnx;

namespace GroundingWeb.Inference.Bundles;

/// <summary>
/// Reads facts out of an ONNX file that ONNX Runtime's metadata does not expose, such as the size
/// of a text encoder's token embedding table. Read-only: the file is parsed, never changed.
/// </summary>
internal static class OnnxModelInspector
{
    /// <summary>
    /// Rows of the embedding table that <paramref name="idsInput"/> indexes (a Gather whose indices
    /// are the ids, possibly through a Cast), or null when the graph has no such pattern.
    /// </summary>
    public static long? FindEmbeddingRows(string onnxPath, string idsInput)
    {
        var graph = ReadGraph(onnxPath);
        if (graph is null)
        {
            return null;
        }
        var idNames = new HashSet<string>(StringComparer.Ordinal) { idsInput };
        foreach (var node in graph.Node.Where(n => n.OpType is "Cast" or "Identity" && n.Input.Count > 0 && n.Input[0] == idsInput))
        {
            idNames.UnionWith(node.Output);
        }
        var tables = graph.Node
            .Where(n => n.OpType == "Gather" && n.Input.Count == 2 && idNames.Contains(n.Input[1]))
            .Select(n => n.Input[0])
            .ToHashSet(StringComparer.Ordinal);
        return graph.Initializer.FirstOrDefault(t => tables.Contains(t.Name) && t.Dims.Count == 2)?.Dims[0];
    }

    /// <summary>
    /// The external data files (<c>model.onnx_data</c> and the like) whose bytes the model's
    /// initializers live in, as the model names them: paths relative to the model's folder.
    /// </summary>
    /// <exception cref="InvalidDataException">Not an ONNX model, or a location that is absolute or climbs out of the model's folder.</exception>
    public static IReadOnlyList<string> ExternalDataFiles(string onnxPath)
    {
        var graph = ReadGraph(onnxPath);
        if (graph is null)
        {
            return [];
        }
        var locations = new SortedSet<string>(StringComparer.Ordinal);
        foreach (var tensor in graph.Initializer.Where(t => t.DataLocation == TensorProto.Types.DataLocation.External))
        {
            var location = tensor.ExternalData.FirstOrDefault(e => e.Key == "location")?.Value;
            if (string.IsNullOrEmpty(location) || Path.IsPathRooted(location) || location.Split('/', '\\').Contains(".."))
            {
                throw new InvalidDataException(
                    $"{onnxPath}: initializer '{tensor.Name}' keeps its data at '{location}', which is not a file beside the model.");
            }
            locations.Add(location);
        }
        return locations.ToList();
    }

    private static GraphProto? ReadGraph(string onnxPath)
    {
        using var stream = File.OpenRead(onnxPath);
        try
        {
            return ModelProto.Parser.ParseFrom(stream).Graph;
        }
        catch (InvalidProtocolBufferException ex)
        {
            throw new InvalidDataException($"{onnxPath} is not an ONNX model: {ex.Message}", ex);
        }
    }
}
