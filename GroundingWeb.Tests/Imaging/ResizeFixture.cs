using System.IO.Compression;
using System.Security.Cryptography;
using System.Text.Json;

namespace GroundingWeb.Tests.Imaging;

/// <summary>Reads Fixtures/resize: the OpenCV INTER_LINEAR + ImageNet-normalisation reference vectors.</summary>
internal static class ResizeFixture
{
    public static readonly string Folder = Path.Combine(AppContext.BaseDirectory, "Fixtures", "resize");

    private static readonly Lazy<JsonElement> Manifest = new(() =>
        JsonDocument.Parse(File.ReadAllBytes(Path.Combine(Folder, "manifest.json"))).RootElement);

    public static int TargetWidth => Manifest.Value.GetProperty("target").GetProperty("width").GetInt32();

    public static int TargetHeight => Manifest.Value.GetProperty("target").GetProperty("height").GetInt32();

    public static float[] Mean => ReadFloats(Manifest.Value.GetProperty("chw_f32").GetProperty("mean"));

    public static float[] Std => ReadFloats(Manifest.Value.GetProperty("chw_f32").GetProperty("std"));

    public static TheoryData<string> ImageNames()
    {
        var names = new TheoryData<string>();
        foreach (var image in Manifest.Value.GetProperty("images").EnumerateArray())
        {
            names.Add(image.GetProperty("name").GetString()!);
        }

        return names;
    }

    public static JsonElement Image(string name) =>
        Manifest.Value.GetProperty("images").EnumerateArray().Single(i => i.GetProperty("name").GetString() == name);

    public static byte[] ReadFile(string file) => File.ReadAllBytes(Path.Combine(Folder, file));

    public static byte[] ReadGzip(string file)
    {
        using var input = File.OpenRead(Path.Combine(Folder, file));
        using var gzip = new GZipStream(input, CompressionMode.Decompress);
        using var output = new MemoryStream();
        gzip.CopyTo(output);
        return output.ToArray();
    }

    public static string Sha256(ReadOnlySpan<byte> data) => Convert.ToHexStringLower(SHA256.HashData(data));

    public static string Sha256(ReadOnlySpan<float> data) => Sha256(System.Runtime.InteropServices.MemoryMarshal.AsBytes(data));

    // Manifest numbers are the float32 values printed as doubles; the cast recovers the exact float.
    private static float[] ReadFloats(JsonElement array) => array.EnumerateArray().Select(e => (float)e.GetDouble()).ToArray();
}
