using System.Diagnostics;
using System.Runtime.InteropServices;
using GroundingWeb.Tests.Support;
using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;

namespace GroundingWeb.Tests.Training;

/// <summary>
/// The import proven against PyTorch itself: Debian's PyTorch builds the reference GroundingModel
/// (encoder stand-ins of the real size and parameter names under img_model. and text_model.),
/// saves its state_dict() with torch.save (about 580 MB) and runs the head on one batch with a
/// padded prompt; <c>grounding import</c> turns the file into fusion.onnx, whose boxes must equal
/// PyTorch's to 1e-4.
/// </summary>
public sealed class PyTorchStateDictParityTests(ITestOutputHelper output)
{
    private static readonly string Script = PythonScript.Path("reference_model.py");

    [Fact]
    public void Boxes_of_the_imported_head_equal_pytorchs_forward_to_1e_4()
    {
        Requires.PyTorch();
        using var temp = new TempFolder();
        PythonScript.Run(Script, temp.Path);

        var clock = Stopwatch.StartNew();
        var cli = CliRunner.Run("import", "--state-dict", temp.File("best_model_iou.pt"), "--out", temp.File("fusion.onnx"));
        output.WriteLine($"import of a {new FileInfo(temp.File("best_model_iou.pt")).Length / 1e6:F0} MB state dict: {clock.Elapsed.TotalSeconds:F1} s");
        Assert.True(cli.ExitCode == 0, cli.StdErr);
        Assert.Contains("mapped 118 head tensors", cli.StdOut);

        using var session = new InferenceSession(temp.File("fusion.onnx"));
        using var outputs = session.Run(
        [
            NamedOnnxValue.CreateFromTensor("image_tokens", new DenseTensor<float>(Floats(temp.File("image_tokens.f32")), [2, 201, 768])),
            NamedOnnxValue.CreateFromTensor("text_tokens", new DenseTensor<float>(Floats(temp.File("text_tokens.f32")), [2, 7, 384])),
            NamedOnnxValue.CreateFromTensor("text_mask", new DenseTensor<long>(MemoryMarshal.Cast<byte, long>(File.ReadAllBytes(temp.File("text_mask.i64"))).ToArray(), [2, 7])),
        ]);
        var actual = outputs.Single().AsTensor<float>().ToArray();
        var expected = Floats(temp.File("boxes.f32"));
        var worst = expected.Zip(actual).Max(p => Math.Abs(p.First - p.Second));
        output.WriteLine($"max abs difference from PyTorch: {worst:E2}");
        Assert.True(worst <= 1e-4f, $"max abs difference {worst:E2}");
    }

    private static float[] Floats(string path) => MemoryMarshal.Cast<byte, float>(File.ReadAllBytes(path)).ToArray();
}
