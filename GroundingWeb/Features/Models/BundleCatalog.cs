using GroundingWeb.Inference.Bundles;
using GroundingWeb.Inference.Hosting;

namespace GroundingWeb.Features.Models;

/// <summary>Options of section <c>Models</c>.</summary>
public sealed class ModelsOptions
{
    public const string SectionName = "Models";

    /// <summary>Folder whose sub-folders holding a bundle.json are offered on the Models page.</summary>
    public string Folder { get; set; } = "models";
}

/// <summary>A bundle folder found on disk: its manifest, or why it could not be read.</summary>
public sealed record BundleEntry(string Path, BundleManifest? Manifest, string? Error)
{
    /// <summary>The bundle's files with their sizes (external data files included); empty when the manifest could not be read.</summary>
    public IReadOnlyList<BundleFile> Files { get; init; } = [];
}

/// <summary>Lists the bundles under the models folder (and the active one, wherever it lives).</summary>
public sealed class BundleCatalog(Microsoft.Extensions.Options.IOptions<ModelsOptions> options, GroundingEngine engine)
{
    public string Folder => BundlePathResolver.Resolve(options.Value.Folder);

    public IReadOnlyList<BundleEntry> List()
    {
        var folders = new SortedSet<string>(StringComparer.Ordinal);
        if (Directory.Exists(Folder))
        {
            foreach (var manifest in Directory.EnumerateFiles(Folder, "bundle.json", new EnumerationOptions { RecurseSubdirectories = true, MaxRecursionDepth = 2 }))
            {
                folders.Add(System.IO.Path.GetDirectoryName(manifest)!);
            }
        }
        folders.Add(engine.ActiveBundlePath);
        return folders.Select(Read).ToList();
    }

    /// <summary>Only folders the catalog lists can be activated: the page never loads an arbitrary path.</summary>
    public BundleEntry? Find(string path) => List().FirstOrDefault(b => b.Path == path);

    private static BundleEntry Read(string folder)
    {
        try
        {
            var manifest = BundleManifest.Read(folder);
            return new BundleEntry(folder, manifest, null) { Files = BundleFiles.List(folder, manifest) };
        }
        catch (Exception ex) when (ex is BundleException or IOException or System.Text.Json.JsonException)
        {
            return new BundleEntry(folder, null, ex.Message);
        }
    }
}
