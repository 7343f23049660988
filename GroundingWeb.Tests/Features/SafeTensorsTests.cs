using System.Buffers.Binary;
using System.Text.Json;
using GroundingWeb.Cli.Features;
using GroundingWeb.Cli.Training;
using GroundingWeb.Tests.Support;
using TorchSharp.PyBridge;
using static TorchSharp.torch;

namespace GroundingWeb.Tests.Features;

public class SafeTensorsTests
{
    [Fact]
    public void RoundTripsFloat32Float16Int64AndMetadata()
    {
        using var folder = new TempFolder();
        var path = folder.File("t.safetensors");
        float[] values = [0f, 1.5f, -2.25f, 65504f, 1e-3f, 3.14159f];
        SafeTensorsFile.Write(path,
        [
            SafeTensor.FromFloats("a.f32", [2, 3], values),
            SafeTensor.FromFloats("b.f16", [3, 2], values, half: true),
            SafeTensor.FromLongs("c.i64", [2], [long.MaxValue, -7]),
            SafeTensor.FromFloats("empty", [0, 4], []),
        ], new Dictionary<string, string> { ["config"] = "{\"x\": 1}", ["note"] = "ünïcode" });

        var (tensors, metadata) = SafeTensorsFile.Read(path);

        Assert.Equal(values, tensors["a.f32"].ToFloats());
        Assert.Equal([2L, 3L], tensors["a.f32"].Shape);
        Assert.Equal(SafeTensorDType.F16, tensors["b.f16"].DType);
        Assert.Equal(values.Select(v => (float)(Half)v), tensors["b.f16"].ToFloats());
        Assert.Equal(1e-3f, tensors["b.f16"].ToFloats()[4], 5e-6f);
        Assert.Equal([long.MaxValue, -7L], tensors["c.i64"].ToLongs());
        Assert.Empty(tensors["empty"].ToFloats());
        Assert.Equal("{\"x\": 1}", metadata["config"]);
        Assert.Equal("ünïcode", metadata["note"]);
        Assert.Empty(Directory.GetFiles(folder.Path, "*.tmp", SearchOption.AllDirectories));
    }

    [Fact]
    public void FollowsTheFormatLayout()
    {
        using var folder = new TempFolder();
        var path = folder.File("t.safetensors");
        SafeTensorsFile.Write(path, [SafeTensor.FromFloats("w", [2], [1f, 2f]), SafeTensor.FromFloats("h", [1], [3f], half: true)],
            new Dictionary<string, string> { ["k"] = "v" });

        var bytes = File.ReadAllBytes(path);
        var headerLength = (int)BinaryPrimitives.ReadUInt64LittleEndian(bytes);
        using var header = JsonDocument.Parse(bytes.AsMemory(8, headerLength));
        var root = header.RootElement;

        Assert.Equal(0, (8 + headerLength) % 8);
        Assert.Equal("v", root.GetProperty("__metadata__").GetProperty("k").GetString());
        Assert.Equal("F32", root.GetProperty("w").GetProperty("dtype").GetString());
        Assert.Equal([0, 8], root.GetProperty("w").GetProperty("data_offsets").EnumerateArray().Select(e => e.GetInt32()));
        Assert.Equal([8, 10], root.GetProperty("h").GetProperty("data_offsets").EnumerateArray().Select(e => e.GetInt32()));
        Assert.Equal(8 + headerLength + 10, bytes.Length);
        Assert.Equal(2f, BitConverter.ToSingle(bytes, 8 + headerLength + 4));
    }

    [Fact]
    public void TorchSharpPyBridgeReadsWhatWeWriteAndViceVersa()
    {
        using var folder = new TempFolder();
        TorchRuntime.EnsureLoaded();
        var ours = folder.File("ours.safetensors");
        SafeTensorsFile.Write(ours, [SafeTensor.FromFloats("x", [2, 2], [1f, -2f, 0.5f, 4f], half: true), SafeTensor.FromFloats("y", [3], [7f, 8f, 9f])]);

        var loaded = Safetensors.LoadStateDict(ours);
        Assert.Equal(ScalarType.Float16, loaded["x"].dtype);
        Assert.Equal([1f, -2f, 0.5f, 4f], loaded["x"].to_type(ScalarType.Float32).data<float>().ToArray());
        Assert.Equal([7f, 8f, 9f], loaded["y"].data<float>().ToArray());

        var theirs = folder.File("theirs.safetensors");
        Safetensors.SaveStateDict(theirs, new Dictionary<string, Tensor> { ["z"] = tensor(new float[] { 1f, 2f, 3f, 4f, 5f, 6f }, [3, 2]).to_type(ScalarType.Float16) });
        var (tensors, _) = SafeTensorsFile.Read(theirs);
        Assert.Equal([3L, 2L], tensors["z"].Shape);
        Assert.Equal([1f, 2f, 3f, 4f, 5f, 6f], tensors["z"].ToFloats());
    }

    [Theory]
    [InlineData(new byte[] { 1, 2, 3 })]
    [InlineData(new byte[] { 255, 255, 255, 255, 0, 0, 0, 0, (byte)'{', (byte)'}' })]
    [InlineData(new byte[] { 2, 0, 0, 0, 0, 0, 0, 0, (byte)'[', (byte)']' })]
    public void RejectsFilesThatAreNotSafetensors(byte[] content)
    {
        using var folder = new TempFolder();
        var path = folder.File("bad.safetensors");
        File.WriteAllBytes(path, content);
        Assert.Throws<InvalidDataException>(() => SafeTensorsFile.Read(path));
    }

    [Fact]
    public void RejectsOffsetsThatDoNotMatchTheShape()
    {
        using var folder = new TempFolder();
        var path = folder.File("bad.safetensors");
        var header = """{"w":{"dtype":"F32","shape":[3],"data_offsets":[0,8]}}""";
        var bytes = new byte[8 + header.Length + 8];
        BinaryPrimitives.WriteUInt64LittleEndian(bytes, (ulong)header.Length);
        System.Text.Encoding.ASCII.GetBytes(header).CopyTo(bytes, 8);
        File.WriteAllBytes(path, bytes);

        var error = Assert.Throws<InvalidDataException>(() => SafeTensorsFile.Read(path));
        Assert.Contains("'w'", error.Message);
    }
}
