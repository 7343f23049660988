using System.Collections.Concurrent;

namespace GroundingWeb.Inference.Bundles;

/// <summary>One file of a bundle: what it is for, its path relative to the bundle, and its size (null when missing).</summary>
public sealed record BundleFile(string Role, string Path, long? Bytes);

/// <summary>The files a bundle consists of, external data files included, for listings such as the Models page.</summary>
public static class BundleFiles
{
    public static IReadOnlyList<BundleFile> List(string bundleDirectory, BundleManifest manifest)
    {
        ArgumentNullException.ThrowIfNull(manifest);
        var files = new List<BundleFile>();
        void Add(string role, string relative)
        {
            var full = System.IO.Path.Combine(bundleDirectory, relative);
            files.Add(new BundleFile(role, relative, File.Exists(full) ? new FileInfo(full).Length : null));
        }
        void AddModel(string role, string relative)
        {
            Add(role, relative);
            var folder = System.IO.Path.GetDirectoryName(relative) ?? "";
            var data = ExternalData(System.IO.Path.Combine(bundleDirectory, relative));
            foreach (var file in data)
            {
                Add(role + " weights", System.IO.Path.Combine(folder, file));
            }
        }
        AddModel("vision encoder", manifest.Vision.File);
        AddModel("text encoder", manifest.Text.File);
        Add("vocabulary", manifest.Text.Tokenizer.Vocab);
        AddModel("fusion head", manifest.Fusion.File);
        if (manifest.Fusion.ImageSide is { } imageSide) AddModel("fusion head, image side", imageSide);
        if (manifest.Fusion.PromptSide is { } promptSide) AddModel("fusion head, prompt side", promptSide);
        return files;
    }

    /// <summary>The external data files a model's weights live in, as the model names them (relative to its folder).</summary>
    /// <exception cref="InvalidDataException">Not an ONNX model, or a data location outside the model's folder.</exception>
    public static IReadOnlyList<string> ExternalDataOf(string onnxPath) => OnnxModelInspector.ExternalDataFiles(onnxPath);

    /// <summary>Rows of the token embedding table that <paramref name="idsInput"/> indexes, or null when the graph does not show it.</summary>
    /// <exception cref="InvalidDataException">Not an ONNX model.</exception>
    public static long? EmbeddingRowsOf(string onnxPath, string idsInput) => OnnxModelInspector.FindEmbeddingRows(onnxPath, idsInput);

    // Listings run on every Models page render; a model is parsed again only when its file changes.
    private static readonly ConcurrentDictionary<(string Path, long Length, DateTime Written), IReadOnlyList<string>> Inspected = new();

    /// <summary>External data files of a model, paths relative to the model's folder; none when the file is missing or unreadable.</summary>
    internal static IReadOnlyList<string> ExternalData(string onnxPath)
    {
        var file = new FileInfo(onnxPath);
        if (!file.Exists)
        {
            return [];
        }
        return Inspected.GetOrAdd((file.FullName, file.Length, file.LastWriteTimeUtc), key =>
        {
            try
            {
                return OnnxModelInspector.ExternalDataFiles(key.Path);
            }
            catch (InvalidDataException)
            {
                return [];
            }
        });
    }
}
