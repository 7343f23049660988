using System.Diagnostics;
using System.Security.Cryptography;
using GroundingWeb.Inference.Bundles;

namespace GroundingWeb.Authoring.Demo;

/// <summary>
/// Writes a bundle file from a restored NuGet package when it is missing, and checks its SHA-256
/// either way. Safe when several processes start at once: one writes under an exclusive lock file,
/// the others wait and then find the finished file; a file only appears by atomic rename.
/// </summary>
internal static class PackagedFileMaterializer
{
    private static readonly TimeSpan LockTimeout = TimeSpan.FromMinutes(5);

    public static void EnsurePresent(string bundleDirectory, string fileName, FileSource source)
    {
        var target = Path.Combine(bundleDirectory, fileName);
        if (File.Exists(target) && Sha256Of(target) == source.Sha256)
        {
            return;
        }
        using var gate = AcquireLock(Path.Combine(bundleDirectory, ".materialize.lock"));
        // Another process may have finished the file while this one waited for the lock.
        if (File.Exists(target) && Sha256Of(target) == source.Sha256)
        {
            return;
        }
        var packageFolder = NuGetPackageLocator.FindPackageFolder(source.Package, source.Version);
        byte[] content;
        try
        {
            content = PackagedFileRecipes.Build(source.Recipe, packageFolder);
        }
        catch (IOException ex)
        {
            throw new BundleException($"Cannot build {target} from package {source.Package} {source.Version}: {ex.Message}", ex);
        }
        var actual = Convert.ToHexStringLower(SHA256.HashData(content));
        if (actual != source.Sha256)
        {
            throw new BundleException(
                $"{target} built from package {source.Package} {source.Version} (recipe '{source.Recipe}') has SHA-256 {actual}, " +
                $"but bundle.json expects {source.Sha256}: the package content is not the one this bundle was made from.");
        }
        Shared.AtomicFile.WriteAllBytes(target, content);
    }

    public static string Sha256Of(string path)
    {
        using var stream = File.OpenRead(path);
        return Convert.ToHexStringLower(SHA256.HashData(stream));
    }

    public static FileStream AcquireLock(string path)
    {
        var clock = Stopwatch.StartNew();
        while (true)
        {
            try
            {
                // FileShare.None takes an exclusive advisory lock that other processes see.
                return new FileStream(path, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None);
            }
            catch (IOException) when (clock.Elapsed < LockTimeout)
            {
                Thread.Sleep(100);
            }
        }
    }
}
