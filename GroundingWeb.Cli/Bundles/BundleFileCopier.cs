using System.Security.Cryptography;
using GroundingWeb.Inference.Bundles;

namespace GroundingWeb.Cli.Bundles;

/// <summary>Copies bundle files with what they need (a model's external data files), and records their sizes and checksums.</summary>
internal static class BundleFileCopier
{
    /// <summary>Copies <paramref name="sourcePath"/> to <paramref name="relative"/> in <paramref name="bundle"/>; returns the bundle-relative paths written.</summary>
    public static IReadOnlyList<string> CopyModel(string sourcePath, string bundle, string relative)
    {
        var written = new List<string> { Copy(sourcePath, bundle, relative) };
        var folder = Path.GetDirectoryName(relative) ?? "";
        foreach (var data in BundleFiles.ExternalDataOf(sourcePath))
        {
            // The model names its data file; the name must stay, beside the model.
            written.Add(Copy(Path.Combine(Path.GetDirectoryName(sourcePath)!, data), bundle, Path.Combine(folder, data)));
        }
        return written;
    }

    public static string Copy(string sourcePath, string bundle, string relative)
    {
        var target = Path.Combine(bundle, relative);
        Directory.CreateDirectory(Path.GetDirectoryName(target)!);
        File.Copy(sourcePath, target, overwrite: true);
        return relative.Replace('\\', '/');
    }

    public static Dictionary<string, FileChecksum> Checksums(string bundle, IEnumerable<string> relativePaths)
    {
        var result = new SortedDictionary<string, FileChecksum>(StringComparer.Ordinal);
        foreach (var relative in relativePaths)
        {
            var path = Path.Combine(bundle, relative);
            using var stream = File.OpenRead(path);
            result[relative] = new FileChecksum { Bytes = stream.Length, Sha256 = Convert.ToHexStringLower(SHA256.HashData(stream)) };
        }
        return new Dictionary<string, FileChecksum>(result, StringComparer.Ordinal);
    }
}
