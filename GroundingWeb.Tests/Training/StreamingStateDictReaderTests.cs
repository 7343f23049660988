using System.Text.Json;
using GroundingWeb.Cli.Training;
using GroundingWeb.Tests.Support;
using TorchSharp.PyBridge;
using static TorchSharp.torch;

namespace GroundingWeb.Tests.Training;

public sealed class StreamingStateDictReaderTests
{
    [Fact]
    public void Reads_only_the_head_candidates_values_converting_them_to_float32()
    {
        TorchRuntime.EnsureLoaded();
        using var temp = new TempFolder();
        var path = temp.File("model.pt");
        var projection = arange(12, dtype: ScalarType.Float32).reshape(4, 3);
        PyTorchPickler.PickleStateDict(path, new Dictionary<string, Tensor>
        {
            ["img_model.layer.0.attention.q_proj.weight"] = randn(8, 8),
            ["model.img_proj.weight"] = projection,
            ["model.text_proj.bias"] = tensor(new[] { 1.5, -2.0 }, dtype: ScalarType.Float64),
        });

        var tensors = StateDictImporter.ReadStateDict(path);

        Assert.Equal([8, 8], tensors["img_model.layer.0.attention.q_proj.weight"].Shape);
        Assert.Empty(tensors["img_model.layer.0.attention.q_proj.weight"].Data);
        Assert.Equal([4, 3], tensors["model.img_proj.weight"].Shape);
        Assert.Equal(projection.data<float>().ToArray(), tensors["model.img_proj.weight"].Data);
        Assert.Equal([1.5f, -2f], tensors["model.text_proj.bias"].Data);
    }

    [Fact]
    public void Views_that_pytorch_saved_with_offsets_and_strides_read_as_their_values()
    {
        Requires.PyTorch();
        using var temp = new TempFolder();
        PythonScript.Run(PythonScript.Path("strided_state_dict.py"), temp.Path);
        using var expected = JsonDocument.Parse(File.ReadAllText(temp.File("expected.json")));

        var tensors = StateDictImporter.ReadStateDict(temp.File("views.pt"));

        Assert.Equal(4, expected.RootElement.EnumerateObject().Count());
        foreach (var entry in expected.RootElement.EnumerateObject())
        {
            Assert.Equal(entry.Value.GetProperty("shape").EnumerateArray().Select(d => d.GetInt32()), tensors[entry.Name].Shape);
            Assert.Equal(entry.Value.GetProperty("values").EnumerateArray().Select(v => v.GetSingle()), tensors[entry.Name].Data);
        }
    }

    [Fact]
    public void A_file_that_is_not_a_torch_save_zip_gets_a_clear_error()
    {
        using var temp = new TempFolder();
        File.WriteAllText(temp.File("model.pt"), "not a checkpoint");

        var error = Assert.Throws<InvalidDataException>(() => StateDictImporter.ReadStateDict(temp.File("model.pt")));

        Assert.Contains("not a zip-format torch.save file", error.Message);
    }
}
