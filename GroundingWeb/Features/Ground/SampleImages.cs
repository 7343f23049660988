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

    /// <summary>
    /// Example rows for the demo: a sample image with a prompt, one click fills both (as Gradio demos do).
    /// RefShapes first, since the demo model knows only those; the last one names nothing in its scene.
    /// Only rows whose image is in the folder are offered.
    /// </summary>
    public IReadOnlyList<(string Image, string Prompt)> Examples =>
        KnownExamples.Where(e => Names.Contains(e.Image)).ToList();

    private static readonly (string Image, string Prompt)[] KnownExamples =
    [
        ("refshapes-scene.png", "the blue square on the right"),
        ("refshapes-scene.png", "the purple square to the left of the hexagon"),
        ("refshapes-scene.png", "the topmost blue shape"),
        ("refshapes-scene.png", "the green star"),
    ];

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
