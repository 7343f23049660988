using System.Reflection;
using SixLabors.ImageSharp;
using SixLabors.ImageSharp.PixelFormats;

namespace GroundingWeb.Evaluation.RefShapes;

/// <summary>An RGB bitmap decoded once from an embedded asset.</summary>
internal sealed record AssetImage(string Name, int Width, int Height, byte[] Rgb);

/// <summary>
/// The CC0 / public-domain photos and grey textures embedded in this assembly (Assets/LICENSES.md),
/// so generating RefShapes needs no files beside the binaries.
/// </summary>
internal static class RefShapesAssets
{
    private static readonly Lazy<IReadOnlyList<AssetImage>> LazyPhotos = new(() => Load("photos"));
    private static readonly Lazy<IReadOnlyList<AssetImage>> LazyTextures = new(() => Load("textures"));

    public static IReadOnlyList<AssetImage> Photos => LazyPhotos.Value;

    public static IReadOnlyList<AssetImage> Textures => LazyTextures.Value;

    private static IReadOnlyList<AssetImage> Load(string folder)
    {
        var assembly = typeof(RefShapesAssets).Assembly;
        var prefix = $"RefShapes/{folder}/";
        // Sorted so that a seed picks the same asset whatever order the manifest lists them in.
        // MSBuild on Windows joins %(RecursiveDir) with a backslash.
        var names = assembly.GetManifestResourceNames().Where(n => n.Replace('\\', '/').StartsWith(prefix, StringComparison.Ordinal)).Order(StringComparer.Ordinal).ToList();
        if (names.Count == 0)
        {
            throw new InvalidOperationException($"No embedded resources under '{prefix}' in {assembly.GetName().Name}: the RefShapes assets were not built in.");
        }
        return names.Select(n => Decode(assembly, n, n[prefix.Length..])).ToList();
    }

    private static AssetImage Decode(Assembly assembly, string resource, string name)
    {
        using var stream = assembly.GetManifestResourceStream(resource)!;
        using var image = Image.Load<Rgb24>(stream);
        var rgb = new byte[image.Width * image.Height * 3];
        image.CopyPixelDataTo(rgb);
        return new AssetImage(name, image.Width, image.Height, rgb);
    }
}
