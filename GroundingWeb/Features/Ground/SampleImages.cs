using GroundingWeb.Inference.Hosting;

namespace GroundingWeb.Features.Ground;

/// <summary>The <c>Samples</c> configuration section: where the bundled sample images live.</summary>
public sealed class SampleOptions
{
    public const string SectionName = "Samples";

    public string Path { get; set; } = "samples";
}

/// <summary>The sample images a visitor can pick instead of uploading one.</summary>
public sealed class SampleImages(Microsoft.Extensions.Options.IOptions<SampleOptions> options)
{
    private static readonly string[] Extensions = [".png", ".jpg", ".jpeg", ".webp"];

    public string Folder { get; } = BundlePathResolver.Resolve(options.Value.Path);

    public IReadOnlyList<string> Names => Directory.Exists(Folder)
        ? Directory.EnumerateFiles(Folder)
            .Where(f => Extensions.Contains(System.IO.Path.GetExtension(f).ToLowerInvariant()))
            .Select(System.IO.Path.GetFileName).OfType<string>().Order().ToList()
        : [];

    public byte[] Read(string name)
    {
        // Only names that the listing offers: no path from a client reaches the file system.
        if (!Names.Contains(name))
        {
            throw new FileNotFoundException($"No sample image named '{name}'.");
        }
        return File.ReadAllBytes(System.IO.Path.Combine(Folder, name));
    }
}
