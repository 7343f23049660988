using GroundingWeb.Tests.Support;
using GroundingWeb.Cli.Training;
using TorchSharp;

namespace GroundingWeb.Tests.Training;

public class TorchRuntimeTests
{
    private static string OriginalLibrary => Path.Combine(AppContext.BaseDirectory, "runtimes", "linux-x64", "native", "libLibTorchSharp.so");

    [Fact]
    public void TorchSharpLoadsAndComputes()
    {
        TorchRuntime.EnsureLoaded();
        TorchRuntime.EnsureLoaded();

        using var sum = torch.ones(3).sum();

        Assert.Equal(3f, sum.item<float>());
        Assert.Equal(TorchRuntime.LibStdCxxHasRequiredVersion(), TorchRuntime.PatchedLibrary is null);
    }

    [Fact]
    public void PatchedCopyIsWrittenOnceEvenWhenRacing()
    {
        Requires.Linux();
        var cache = Directory.CreateTempSubdirectory("torch-compat-");
        try
        {
            var paths = Enumerable.Range(0, 4)
                .AsParallel()
                .Select(_ => TorchRuntime.PreparePatchedCopy(OriginalLibrary, cache.FullName))
                .ToArray();

            Assert.Single(paths.Distinct());
            var patched = File.ReadAllBytes(paths[0]);
            var original = File.ReadAllBytes(OriginalLibrary);
            Assert.Equal(original.Length, patched.Length);
            // Only vna_flags of the one requirement differ.
            Assert.Single(Enumerable.Range(0, original.Length), i => original[i] != patched[i]);
            Assert.Equal(1, ElfVersionPatcher.MarkVersionWeak(patched, TorchRuntime.MissingVersion));
            Assert.Empty(Directory.GetFiles(Path.GetDirectoryName(paths[0])!, "*.tmp"));
        }
        finally
        {
            cache.Delete(recursive: true);
        }
    }

    [Fact]
    public void NonElfInputIsRejected() =>
        Assert.Throws<InvalidDataException>(() => ElfVersionPatcher.MarkVersionWeak(new byte[128], TorchRuntime.MissingVersion));
}
