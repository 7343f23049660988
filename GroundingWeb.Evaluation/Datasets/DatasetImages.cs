namespace GroundingWeb.Evaluation.Datasets;

/// <summary>
/// Where a dataset may take its images from, and how they are read. A line of a dataset may name any
/// path (<c>/etc/shadow</c>, <c>../../x.png</c>, <c>/dev/zero</c>); an image is used only when, with every
/// symbolic link resolved, it lies inside one of the dataset's folders (the JSON Lines file's own or
/// the image folder named for it, the image folder for refer and parquet), is a regular file with a size, and is no larger
/// than <see cref="DatasetLimits.MaxImageBytes"/>. Reads take at most the size checked, so a file that
/// grows or turns into a device meanwhile cannot make a read endless.
/// </summary>
public static class DatasetImages
{
    private const int MaxLinkDepth = 40;

    /// <summary>
    /// Null when <paramref name="path"/> may be read as one of the dataset's images; else why not (a skip
    /// reason). A null <paramref name="root"/> (samples made in code, not read from a file) skips only the confinement.
    /// </summary>
    public static string? Problem(string path, string? root) => Problem(path, root is null ? null : [root], out _);

    /// <summary>
    /// As <see cref="Problem(string, string?)"/> with several permitted folders (a JSON Lines file's own and
    /// a named image folder); <paramref name="within"/> is the one that holds the image.
    /// </summary>
    public static string? Problem(string path, IReadOnlyList<string>? roots, out string? within)
    {
        within = null;
        string resolved;
        try
        {
            resolved = ResolveLinks(path);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return $"image file unreadable: {path} ({ex.Message})";
        }
        if (roots is not null)
        {
            try
            {
                within = roots.FirstOrDefault(root => IsInside(resolved, ResolveLinks(root)));
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
            {
                return $"the dataset's image folder cannot be resolved ({ex.Message})";
            }
            if (within is null)
            {
                return $"image path {path} lies outside the dataset's image folder {string.Join(" and ", roots)}";
            }
        }
        var file = new FileInfo(resolved);
        if (!file.Exists)
        {
            return Directory.Exists(resolved) ? $"image path {path} is a folder" : $"image file not found: {path}";
        }
        // Devices, pipes and /proc files report no size; a regular image always has one.
        if (file.Length == 0)
        {
            return $"image file {path} is empty or not a regular file";
        }
        return file.Length > DatasetLimits.MaxImageBytes
            ? $"image file {path} is {DatasetLimits.Megabytes(file.Length)}, over the {DatasetLimits.Megabytes(DatasetLimits.MaxImageBytes)} limit"
            : null;
    }

    /// <summary>Reads an image <see cref="Problem"/> accepted, again confined and capped.</summary>
    /// <exception cref="InvalidDataException">The file no longer passes <see cref="Problem"/>.</exception>
    public static byte[] Read(string path, string? root)
    {
        using var stream = OpenRead(path, root);
        var length = (int)Math.Min(stream.Length, DatasetLimits.MaxImageBytes);
        var bytes = new byte[length];
        stream.ReadExactly(bytes);
        return bytes;
    }

    /// <summary>
    /// Opens an image <see cref="Problem"/> accepted, checked again before and after the open, for a
    /// caller that needs only part of it (an image's size from its header).
    /// </summary>
    /// <exception cref="InvalidDataException">The file no longer passes <see cref="Problem"/>.</exception>
    public static FileStream OpenRead(string path, string? root)
    {
        if (Problem(path, root) is { } problem)
        {
            throw new InvalidDataException(problem);
        }
        var stream = new FileStream(ResolveLinks(path), FileMode.Open, FileAccess.Read, FileShare.Read, bufferSize: 4096);
        if (OpenedElsewhere(stream, root) is { } elsewhere)
        {
            stream.Dispose();
            throw new InvalidDataException($"image path {path} changed while it was opened: it now leads to {elsewhere}, outside the dataset's image folder");
        }
        return stream;
    }

    /// <summary>
    /// Where the open file really is, when that is outside <paramref name="root"/>: the check above and the
    /// open are two steps, and a link swapped between them must not let the read out. Linux names an open
    /// file's path in /proc/self/fd; elsewhere the check before the open is what holds.
    /// </summary>
    internal static string? OpenedElsewhere(FileStream stream, string? root)
    {
        if (root is null || !OperatingSystem.IsLinux())
        {
            return null;
        }
        var opened = new FileInfo($"/proc/self/fd/{stream.SafeFileHandle.DangerousGetHandle()}").LinkTarget;
        return opened is null || IsInside(opened, ResolveLinks(root)) ? null : opened;
    }

    /// <summary><paramref name="path"/> relative to <paramref name="root"/>: how results files name an image without server paths.</summary>
    public static string NameWithin(string path, string? root)
    {
        if (root is null)
        {
            return Path.GetFileName(path);
        }
        var relative = Path.GetRelativePath(root, path);
        return relative.StartsWith("..", StringComparison.Ordinal) || Path.IsPathRooted(relative) ? Path.GetFileName(path) : relative;
    }

    private static bool IsInside(string path, string root)
    {
        var trimmed = Path.TrimEndingDirectorySeparator(root);
        var folder = Path.EndsInDirectorySeparator(trimmed) ? trimmed : trimmed + Path.DirectorySeparatorChar; // "/" stays "/"
        return path.StartsWith(folder, OperatingSystem.IsWindows() ? StringComparison.OrdinalIgnoreCase : StringComparison.Ordinal);
    }

    /// <summary>The absolute path with every symbolic link in it, folders included, followed (what realpath gives).</summary>
    internal static string ResolveLinks(string path) => ResolveLinks(Path.GetFullPath(path), 0);

    private static string ResolveLinks(string fullPath, int depth)
    {
        if (depth > MaxLinkDepth)
        {
            throw new IOException($"too many levels of symbolic links in {fullPath}");
        }
        var root = Path.GetPathRoot(fullPath)!;
        var current = root;
        foreach (var part in fullPath[root.Length..].Split(Path.DirectorySeparatorChar, StringSplitOptions.RemoveEmptyEntries))
        {
            var next = Path.Combine(current, part);
            FileSystemInfo entry = new FileInfo(next);
            if (entry.LinkTarget is { } target)
            {
                next = ResolveLinks(Path.GetFullPath(target, current), depth + 1);
            }
            current = next;
        }
        return current;
    }
}
