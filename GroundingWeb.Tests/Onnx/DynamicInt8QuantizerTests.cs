using System.Runtime.InteropServices;
using Google.Protobuf;
using GroundingWeb.Authoring.Onnx;
using GroundingWeb.Tests.Support;
using Microsoft.ML.OnnxRuntime;
using DataType = Onnx.TensorProto.Types.DataType;

namespace GroundingWeb.Tests.Onnx;

public sealed class DynamicInt8QuantizerTests
{
    private const int Rows = 96;
    private const int Columns = 80;

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void AConstantMatMulBecomesInt8AndStaysCloseToFloat32(bool externalData)
    {
        using var folder = new TempFolder();
        var weights = Enumerable.Range(0, Rows * Columns).Select(i => MathF.Sin(i * 0.37f) * (1 + i % Columns) * 0.01f).ToArray();
        var path = WriteModel(folder, weights, externalData);

        var (model, summary) = DynamicInt8Quantizer.Quantize(path);

        Assert.Equal(1, summary.QuantizedMatMuls);
        Assert.Equal(Rows * Columns * 4L, summary.WeightBytesBefore);
        Assert.Equal(Rows * Columns + Columns * 4L, summary.WeightBytesAfter);
        var graph = global::Onnx.ModelProto.Parser.ParseFrom(model).Graph;
        Assert.Equal("DynamicQuantizeMatMul", Assert.Single(graph.Node).OpType);
        Assert.Equal((int)DataType.Int8, graph.Initializer.Single(t => t.Name == "w_int8").DataType);
        Assert.DoesNotContain(graph.Initializer, t => t.Name == "w");
        Assert.DoesNotContain(graph.Initializer, t => t.DataLocation == global::Onnx.TensorProto.Types.DataLocation.External);

        var input = Enumerable.Range(0, 4 * Rows).Select(i => MathF.Cos(i * 0.11f)).ToArray();
        using var original = new InferenceSession(path);
        using var quantized = new InferenceSession(model);
        var expected = Run(original, input);
        var actual = Run(quantized, input);
        // int8 weights and uint8 activations: close in direction (errors of 96 terms add up), never exact.
        double dot = 0, ee = 0, aa = 0;
        for (var i = 0; i < expected.Length; i++)
        {
            dot += expected[i] * actual[i];
            ee += expected[i] * expected[i];
            aa += actual[i] * actual[i];
        }
        var cosine = dot / Math.Sqrt(ee * aa);
        Assert.True(cosine > 0.99, $"cosine similarity {cosine}");
        Assert.True(expected.Zip(actual).Any(p => p.First != p.Second), "int8 cannot be bit-exact: an identical result means nothing was quantized");
    }

    [Fact]
    public void AQuantizedModelIsNotQuantizedTwice()
    {
        using var folder = new TempFolder();
        var path = WriteModel(folder, new float[Rows * Columns].Select((_, i) => i * 1e-4f).ToArray(), externalData: false);
        File.WriteAllBytes(folder.File("q.onnx"), DynamicInt8Quantizer.Quantize(path).Model);

        var error = Assert.Throws<InvalidDataException>(() => DynamicInt8Quantizer.Quantize(folder.File("q.onnx")));

        Assert.Contains("already quantized", error.Message);
    }

    [Fact]
    public void AModelWithNothingToQuantizeOrNoModelAtAllIsAClearError()
    {
        using var folder = new TempFolder();
        // 4 x 4 weights: below the size worth quantizing.
        File.WriteAllBytes(folder.File("tiny.onnx"), GroundingWeb.Cli.Bench.GemmPeakProbe.MatMulModel(4, new float[16]));
        File.WriteAllText(folder.File("text.onnx"), "not a model");

        Assert.Contains("nothing to quantize", Assert.Throws<InvalidDataException>(() => DynamicInt8Quantizer.Quantize(folder.File("tiny.onnx"))).Message);
        Assert.Contains("is not an ONNX model", Assert.Throws<InvalidDataException>(() => DynamicInt8Quantizer.Quantize(folder.File("text.onnx"))).Message);
    }

    private static string WriteModel(TempFolder folder, float[] weights, bool externalData)
    {
        var g = new OnnxGraphBuilder();
        g.Input("x", DataType.Float, "B", Rows);
        if (externalData)
        {
            File.WriteAllBytes(folder.File("model.onnx_data"), MemoryMarshal.AsBytes(weights.AsSpan()).ToArray());
            g.ExternalInitializer("w", [Rows, Columns], DataType.Float, "model.onnx_data", 0, weights.Length * 4L);
        }
        else
        {
            g.Initializer("w", [Rows, Columns], weights);
        }
        g.Node("MatMul", ["x", "w"], "y");
        g.Output("y", DataType.Float, "B", Columns);
        var path = folder.File("model.onnx");
        File.WriteAllBytes(path, g.Build("matmul", "tests", 17).ToByteArray());
        return path;
    }

    private static float[] Run(InferenceSession session, float[] input)
    {
        using var x = OrtValue.CreateTensorValueFromMemory(input, [input.Length / Rows, Rows]);
        using var runOptions = new RunOptions();
        using var outputs = session.Run(runOptions, ["x"], [x], ["y"]);
        return outputs[0].GetTensorDataAsSpan<float>().ToArray();
    }
}
