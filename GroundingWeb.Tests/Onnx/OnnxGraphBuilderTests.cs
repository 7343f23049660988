using GroundingWeb.Authoring.Onnx;
using Google.Protobuf;
using Microsoft.ML.OnnxRuntime;
using DataType = Onnx.TensorProto.Types.DataType;

namespace GroundingWeb.Tests.Onnx;

public class OnnxGraphBuilderTests
{
    [Fact]
    public void SmallGraphRunsInOnnxRuntime()
    {
        var g = new OnnxGraphBuilder();
        g.Input("x", DataType.Float, "B", 3);
        g.Initializer("w", [3, 2], [1f, 2f, 3f, 4f, 5f, 6f]);
        g.Initializer("b", [2], [0.5f, -0.5f]);
        var product = g.Node("MatMul", ["x", "w"]);
        g.Node("Add", [product, "b"], "y");
        g.Output("y", DataType.Float, "B", 2);
        g.Metadata("k", "v");

        using var session = new InferenceSession(g.Build("test", "tests", 17).ToByteArray());
        using var x = OrtValue.CreateTensorValueFromMemory(new[] { 1f, 0f, 1f, 0f, 1f, 0f }, [2, 3]);
        using var runOptions = new RunOptions();
        using var outputs = session.Run(runOptions, ["x"], [x], ["y"]);

        Assert.Equal([6.5f, 7.5f, 3.5f, 3.5f], outputs[0].GetTensorDataAsSpan<float>().ToArray());
        Assert.Equal("v", session.ModelMetadata.CustomMetadataMap["k"]);
    }

    [Fact]
    public void DuplicateTensorNameIsRejected()
    {
        var g = new OnnxGraphBuilder();
        g.Input("x", DataType.Float, 1);

        var error = Assert.Throws<InvalidOperationException>(() => g.Initializer("x", [1], [1f]));

        Assert.Contains("'x'", error.Message);
    }
}
