using System.IO.Compression;
using System.Runtime.InteropServices;
using System.Security.Cryptography;
using System.Text.Json;
using GroundingWeb.Inference.Imaging;

namespace GroundingWeb.Tests.Imaging;

/// <summary>
/// The <c>antialias-bilinear-float</c> resize against Fixtures/hf-processor: Hugging Face's DINOv3
/// preprocessing (rescale, torchvision antialiased bilinear on the float image, ImageNet normalise)
/// computed by Debian's torchvision, for upscales, downscales of more than 2x and mixed ones.
/// </summary>
public sealed class HfProcessorPreprocessingTests
{
    private static readonly string Folder = Path.Combine(AppContext.BaseDirectory, "Fixtures", "hf-processor");

    private static readonly Lazy<JsonElement> Manifest = new(() =>
        JsonDocument.Parse(File.ReadAllBytes(Path.Combine(Folder, "manifest.json"))).RootElement);

    public static TheoryData<string> Names()
    {
        var names = new TheoryData<string>();
        foreach (var image in Manifest.Value.GetProperty("images").EnumerateArray())
        {
            names.Add(image.GetProperty("name").GetString()!);
        }
        return names;
    }

    [Theory]
    [MemberData(nameof(Names))]
    public void Matches_torchvision_to_1e_5(string name)
    {
        var entry = Manifest.Value.GetProperty("images").EnumerateArray().Single(i => i.GetProperty("name").GetString() == name);
        var image = ImageDecoder.Decode(File.ReadAllBytes(Path.Combine(Folder, entry.GetProperty("input").GetString()!)), new ImageLimits());
        Assert.Equal(entry.GetProperty("rgbSha256").GetString(), Convert.ToHexStringLower(SHA256.HashData(image.Pixels)));
        var size = Manifest.Value.GetProperty("size").GetInt32();
        float[] mean = Manifest.Value.GetProperty("mean").EnumerateArray().Select(v => v.GetSingle()).ToArray();
        float[] std = Manifest.Value.GetProperty("std").EnumerateArray().Select(v => v.GetSingle()).ToArray();
        var preprocessing = new ImagePreprocessing(size, size, ResizeMethod.AntialiasBilinearFloat, ChannelOrder.Rgb, 255f, mean, std);

        var actual = ImagePreprocessor.Preprocess(image, preprocessing);

        var expected = ReadFloats(entry.GetProperty("output").GetString()!);
        Assert.Equal(expected.Length, actual.Length);
        var worst = 0f;
        for (var i = 0; i < expected.Length; i++)
        {
            worst = Math.Max(worst, Math.Abs(expected[i] - actual[i]));
        }
        Assert.True(worst <= 1e-5f, $"{name}: max abs difference {worst:E2} from torchvision");
    }

    [Fact]
    public void Differs_from_the_byte_rounding_resizers_on_a_downscale()
    {
        // Guard against the float path quietly falling back to an 8-bit one: on a 2x downscale they differ.
        var image = ImageDecoder.Decode(File.ReadAllBytes(Path.Combine(Folder, "../resize/pub08_photo_448x448.png")), new ImageLimits());
        float[] mean = [0.485f, 0.456f, 0.406f], std = [0.229f, 0.224f, 0.225f];
        var asFloat = ImagePreprocessor.Preprocess(image, new(224, 224, ResizeMethod.AntialiasBilinearFloat, ChannelOrder.Rgb, 255f, mean, std));
        var asBytes = ImagePreprocessor.Preprocess(image, new(224, 224, ResizeMethod.AntialiasBilinear, ChannelOrder.Rgb, 255f, mean, std));

        Assert.True(asFloat.Zip(asBytes).Max(p => Math.Abs(p.First - p.Second)) > 1e-3f);
    }

    private static float[] ReadFloats(string file)
    {
        using var gzip = new GZipStream(File.OpenRead(Path.Combine(Folder, file)), CompressionMode.Decompress);
        using var buffer = new MemoryStream();
        gzip.CopyTo(buffer);
        return MemoryMarshal.Cast<byte, float>(buffer.ToArray()).ToArray();
    }
}
