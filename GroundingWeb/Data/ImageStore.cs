using System.Text.RegularExpressions;
using GroundingWeb.Inference.Imaging;
using GroundingWeb.Shared;
using Microsoft.Extensions.Options;
using SixLabors.ImageSharp;
using SixLabors.ImageSharp.Formats.Jpeg;
using SixLabors.ImageSharp.PixelFormats;
using SixLabors.ImageSharp.Processing;

namespace GroundingWeb.Data;

/// <summary>
/// Image files on disk, named by the SHA-256 of their bytes, each with a small JPEG thumbnail.
/// Files are written whole (temp + rename) before any row refers to them; <see cref="Gate"/>
/// serialises "write file then commit row" against "delete rows then delete unreferenced file".
/// </summary>
public sealed partial class ImageStore(IOptions<DataOptions> options)
{
    public const int ThumbnailSide = 160;

    /// <summary>Held around saving a prediction and around deleting one, so an orphan check never races an insert.</summary>
    public SemaphoreSlim Gate { get; } = new(1, 1);

    public string PathOf(string sha256, string extension) =>
        Path.Combine(options.Value.ImagesPath, Shard(sha256), $"{CheckedHash(sha256)}.{extension}");

    public string ThumbnailPathOf(string sha256) =>
        Path.Combine(options.Value.ThumbnailsPath, Shard(sha256), $"{CheckedHash(sha256)}.jpg");

    /// <summary>Writes the image and its thumbnail unless they are already there; returns true when it wrote them.</summary>
    public bool Save(string sha256, string extension, byte[] bytes, RgbImage oriented)
    {
        var path = PathOf(sha256, extension);
        var thumbnail = ThumbnailPathOf(sha256);
        if (File.Exists(path) && File.Exists(thumbnail))
        {
            // Files left by an earlier failed save: fresh again, so another instance's sweep, which may
            // have looked before this row commits, leaves them to the grace period.
            File.SetLastWriteTimeUtc(path, DateTime.UtcNow);
            File.SetLastWriteTimeUtc(thumbnail, DateTime.UtcNow);
            return false;
        }
        AtomicFile.WriteAllBytes(path, bytes);
        try
        {
            using var small = Image.LoadPixelData<Rgb24>(oriented.Pixels, oriented.Width, oriented.Height);
            small.Mutate(c => c.Resize(new ResizeOptions { Size = new Size(ThumbnailSide), Mode = ResizeMode.Max }));
            AtomicFile.Write(thumbnail, stream => small.Save(stream, new JpegEncoder { Quality = 80 }));
        }
        catch
        {
            // No row will refer to the image without its thumbnail: do not leave it behind as an orphan.
            TryDelete(sha256, extension);
            throw;
        }
        return true;
    }

    public void Delete(string sha256, string extension)
    {
        File.Delete(PathOf(sha256, extension));
        File.Delete(ThumbnailPathOf(sha256));
    }

    /// <summary>Cleans up after a failed save; a folder that refuses the delete too leaves the files to the start-up sweep.</summary>
    public void TryDelete(string sha256, string extension)
    {
        try
        {
            Delete(sha256, extension);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
        }
    }

    private static string Shard(string sha256) => CheckedHash(sha256)[..2];

    // Hashes come from URLs too: only 64 hex characters may ever become part of a path.
    private static string CheckedHash(string sha256) =>
        HashPattern().IsMatch(sha256) ? sha256 : throw new ArgumentException($"'{sha256}' is not a SHA-256 in lower-case hex.", nameof(sha256));

    [GeneratedRegex("^[0-9a-f]{64}$")]
    private static partial Regex HashPattern();
}
