namespace GroundingWeb.Inference.Hosting;

/// <summary>
/// Finds a bundle folder given as a relative path: from the working directory first, then from the
/// application's folder and its parents, so `models/demo` works from the repository root, from a
/// project folder under `dotnet run`, from test output folders and from a published /app.
/// </summary>
public static class BundlePathResolver
{
    public static string Resolve(string path)
    {
        if (Path.IsPathRooted(path))
        {
            return path;
        }
        var fromWorkingDirectory = Path.GetFullPath(path);
        if (Directory.Exists(fromWorkingDirectory))
        {
            return fromWorkingDirectory;
        }
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            var candidate = Path.Combine(dir.FullName, path);
            if (Directory.Exists(candidate))
            {
                return candidate;
            }
        }
        return fromWorkingDirectory;
    }
}
