using GroundingWeb.Authoring.Onnx;
using GroundingWeb.Inference.Bundles;

namespace GroundingWeb.Cli.Bundles;

/// <summary>
/// A copy of a bundle whose vision or text encoder is replaced by its dynamically quantized int8
/// variant (<see cref="DynamicInt8Quantizer"/>). Files the manifest marks with a <c>source</c> stay
/// sourced (written from their package on first load); the others are copied; the new bundle
/// records every file's size and checksum.
/// </summary>
internal static class BundleQuantizer
{
    public static (BundleManifest Manifest, QuantizationSummary Summary) Quantize(string bundleDirectory, string encoder, string outDirectory, string? name)
    {
        if (encoder is not ("vision" or "text"))
        {
            throw new ArgumentException($"--encoder must be 'vision' or 'text', not '{encoder}'.");
        }
        if (Directory.Exists(outDirectory))
        {
            throw new IOException($"{outDirectory} already exists: give a new folder for the quantized bundle.");
        }
        var source = BundleManifest.Read(bundleDirectory);
        var file = encoder == "vision" ? source.Vision.File : source.Text.File;
        var modelPath = Path.Combine(bundleDirectory, file);
        if (!File.Exists(modelPath))
        {
            throw new FileNotFoundException($"{modelPath} (field '{encoder}.file') does not exist; open the bundle once (grounding predict) so that sourced files are written.");
        }
        var (model, summary) = DynamicInt8Quantizer.Quantize(modelPath);
        var quantizedFile = $"{encoder}.int8.onnx";

        var staging = $"{outDirectory}.partial-{Guid.NewGuid():N}";
        Directory.CreateDirectory(staging);
        try
        {
            Shared.AtomicFile.WriteAllBytes(Path.Combine(staging, quantizedFile), model);
            var written = new List<string> { quantizedFile };
            var replaced = BundleFiles.List(bundleDirectory, source)
                .Where(f => f.Role.StartsWith(encoder == "vision" ? "vision encoder" : "text encoder", StringComparison.Ordinal))
                .Select(f => f.Path).ToHashSet(StringComparer.Ordinal);
            var sourced = new[] { source.Vision.Source is null ? null : source.Vision.File, source.Text.Source is null ? null : source.Text.File,
                source.Text.Tokenizer.Source is null ? null : source.Text.Tokenizer.Vocab }.OfType<string>().ToHashSet(StringComparer.Ordinal);
            foreach (var entry in BundleFiles.List(bundleDirectory, source).Where(f => !replaced.Contains(f.Path) && !sourced.Contains(f.Path)))
            {
                written.Add(BundleFileCopier.Copy(Path.Combine(bundleDirectory, entry.Path), staging, entry.Path));
            }
            var note = $"{encoder} encoder dynamically quantized to int8 by `grounding quantize` ({summary.QuantizedMatMuls} MatMul weights int8 per output column, activations at run time) from {source.Name} {source.Version}";
            var manifest = source with
            {
                Name = name ?? $"{source.Name}-int8",
                Description = $"{source.Description} {note}.".Trim(),
                Vision = encoder == "vision" ? source.Vision with { File = quantizedFile, Source = null } : source.Vision,
                Text = encoder == "text" ? source.Text with { File = quantizedFile, Source = null } : source.Text,
                Files = BundleFileCopier.Checksums(staging, written),
                // The metrics were measured with the float32 encoder: they are not this bundle's until it is evaluated.
                Provenance = (source.Provenance ?? new Provenance()) with { Notes = $"{source.Provenance?.Notes} {note}.".Trim(), Metrics = null },
            };
            BundleManifest.Write(staging, manifest);
            Directory.Move(staging, outDirectory);
            return (manifest, summary);
        }
        catch
        {
            Directory.Delete(staging, recursive: true);
            throw;
        }
    }
}
