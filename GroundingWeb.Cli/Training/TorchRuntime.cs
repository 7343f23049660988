using System.Runtime.InteropServices;
using System.Security.Cryptography;
using TorchSharp;

namespace GroundingWeb.Cli.Training;

/// <summary>
/// Makes TorchSharp's native library loadable before the first torch call.
/// <para>
/// <c>libLibTorchSharp.so</c> 0.107.0 requires <c>GLIBCXX_3.4.32</c> (GCC 13) for one symbol,
/// <c>std::ios_base_library_init()</c>, which only an <c>asm(".globl")</c> in GCC 13's &lt;iostream&gt;
/// references: no relocation uses it. Older libstdc++ (Debian 12 stops at 3.4.30) makes the loader
/// refuse the whole library. Where the running libstdc++ lacks the version, a copy of the library with
/// that one requirement marked weak is written to a cache folder, loaded (with its libtorch
/// dependencies from the original folder), and handed to TorchSharp through a DllImport resolver.
/// Elsewhere nothing is done.
/// </para>
/// </summary>
internal static class TorchRuntime
{
    /// <summary>Overrides the folder that holds the patched library.</summary>
    public const string CacheDirectoryVariable = "GROUNDINGWEB_NATIVE_CACHE";

    internal const string MissingVersion = "GLIBCXX_3.4.32";
    private const string ProbeSymbol = "_ZSt21ios_base_library_initv";
    private const string LibraryFile = "libLibTorchSharp.so";
    private const int RtldLazy = 0x1, RtldNow = 0x2;

    private static readonly Lazy<string?> Loaded = new(Load, LazyThreadSafetyMode.ExecutionAndPublication);

    /// <summary>The patched library in use, or null when TorchSharp loads its own copy unchanged.</summary>
    public static string? PatchedLibrary => Loaded.Value;

    /// <summary>Idempotent and thread-safe; call before anything touches TorchSharp.</summary>
    public static void EnsureLoaded() => _ = Loaded.Value;

    /// <summary>True when the libstdc++ this process uses defines <see cref="MissingVersion"/>.</summary>
    public static bool LibStdCxxHasRequiredVersion()
    {
        var handle = dlopen("libstdc++.so.6", RtldLazy);
        return handle == IntPtr.Zero || dlvsym(handle, ProbeSymbol, MissingVersion) != IntPtr.Zero;
    }

    /// <summary>
    /// Writes (once per original library content) the patched copy into <paramref name="cacheDirectory"/>
    /// and returns its path. Safe when several processes do it at once: each writes its own temporary
    /// file and renames it over the target, and the copies are identical.
    /// </summary>
    public static string PreparePatchedCopy(string original, string cacheDirectory)
    {
        var bytes = File.ReadAllBytes(original);
        var key = Convert.ToHexStringLower(SHA256.HashData(bytes))[..16];
        var directory = Path.Combine(cacheDirectory, key);
        var target = Path.Combine(directory, LibraryFile);
        if (File.Exists(target))
        {
            return target;
        }
        if (ElfVersionPatcher.MarkVersionWeak(bytes, MissingVersion) == 0)
        {
            throw new InvalidOperationException($"{original} does not require {MissingVersion}; the compatibility patch does not apply to it.");
        }
        GroundingWeb.Shared.AtomicFile.WriteAllBytes(target, bytes);
        return target;
    }

    private static string? Load()
    {
        if (!OperatingSystem.IsLinux() || LibStdCxxHasRequiredVersion())
        {
            return null;
        }
        var original = FindOriginal();
        if (original is null)
        {
            // TorchSharp reports its own error about the missing native package.
            return null;
        }
        var patched = PreparePatchedCopy(original, CacheDirectory());
        var nativeDirectory = Path.GetDirectoryName(original)!;
        // The copy's $ORIGIN run path points at the cache, so its libtorch dependencies are loaded
        // first from the original folder; the loader then matches them by soname.
        foreach (var dependency in new[] { "libc10.so", "libtorch_cpu.so", "libtorch.so" })
        {
            var path = Path.Combine(nativeDirectory, dependency);
            if (File.Exists(path) && dlopen(path, RtldLazy) == IntPtr.Zero)
            {
                throw new InvalidOperationException($"Cannot load {path}: {LastError()}");
            }
        }
        // RTLD_NOW makes any symbol the weakened version really needed fail here, with a clear message.
        var handle = dlopen(patched, RtldNow);
        if (handle == IntPtr.Zero)
        {
            throw new InvalidOperationException(
                $"Cannot load the patched TorchSharp library {patched} (the running libstdc++ lacks {MissingVersion}): {LastError()}. " +
                "Install a newer libstdc++ (GCC 13 or later) or delete the cache folder and retry.");
        }
        NativeLibrary.SetDllImportResolver(typeof(torch).Assembly, (name, _, _) =>
            name is "LibTorchSharp" or LibraryFile ? handle : IntPtr.Zero);
        return patched;
    }

    private static string? FindOriginal()
    {
        var roots = new[] { AppContext.BaseDirectory, Path.GetDirectoryName(typeof(torch).Assembly.Location) ?? string.Empty };
        return roots
            .Where(root => root.Length > 0)
            .SelectMany(root => new[] { Path.Combine(root, "runtimes", "linux-x64", "native", LibraryFile), Path.Combine(root, LibraryFile) })
            .FirstOrDefault(File.Exists);
    }

    private static string CacheDirectory()
    {
        var configured = Environment.GetEnvironmentVariable(CacheDirectoryVariable);
        if (!string.IsNullOrWhiteSpace(configured))
        {
            return configured;
        }
        var xdg = Environment.GetEnvironmentVariable("XDG_CACHE_HOME");
        var home = Environment.GetFolderPath(Environment.SpecialFolder.UserProfile);
        var root = !string.IsNullOrWhiteSpace(xdg) ? xdg : home.Length > 0 ? Path.Combine(home, ".cache") : Path.GetTempPath();
        var candidate = Path.Combine(root, "groundingweb", "torchsharp-compat");
        try
        {
            Directory.CreateDirectory(candidate);
            return candidate;
        }
        catch (Exception exception) when (exception is IOException or UnauthorizedAccessException)
        {
            // A read-only home (containers) still has a writable temp folder.
            return Path.Combine(Path.GetTempPath(), $"groundingweb-{Environment.UserName}", "torchsharp-compat");
        }
    }

    private static string LastError() => Marshal.PtrToStringUTF8(dlerror()) ?? "unknown dlopen error";

    [DllImport("libdl.so.2")]
    private static extern IntPtr dlopen([MarshalAs(UnmanagedType.LPUTF8Str)] string fileName, int flags);

    [DllImport("libdl.so.2")]
    private static extern IntPtr dlvsym(IntPtr handle, [MarshalAs(UnmanagedType.LPUTF8Str)] string symbol, [MarshalAs(UnmanagedType.LPUTF8Str)] string version);

    [DllImport("libdl.so.2")]
    private static extern IntPtr dlerror();
}
