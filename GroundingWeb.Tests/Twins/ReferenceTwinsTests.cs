using GroundingWeb.Authoring.Twins;
using GroundingWeb.Inference.Bundles;
using GroundingWeb.Tests.Support;
using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;

namespace GroundingWeb.Tests.Twins;

public sealed class ReferenceTwinsTests
{
    [Fact]
    public void Parameter_counts_equal_the_real_models()
    {
        var twins = TwinFiles.Shared;

        Assert.Equal(85_660_416, FloatParameters(twins.VisionModel));
        Assert.Equal(33_360_000, FloatParameters(twins.TextModel));
    }

    [Fact]
    public void Dinov3_twin_has_the_public_exports_interface_with_external_weights()
    {
        var twins = TwinFiles.Shared;
        var model = global::Onnx.ModelProto.Parser.ParseFrom(File.ReadAllBytes(twins.VisionModel));

        Assert.Equal(17, model.OpsetImport.Single(o => o.Domain == "").Version);
        Assert.All(model.Graph.Initializer, t => Assert.Equal(global::Onnx.TensorProto.Types.DataLocation.External, t.DataLocation));
        Assert.True(new FileInfo(twins.VisionModel + "_data").Length == 85_660_416L * 4);
        using var session = new InferenceSession(twins.VisionModel);
        var input = Assert.Single(session.InputMetadata);
        Assert.Equal("pixel_values", input.Key);
        Assert.Equal(TensorElementType.Float, input.Value.ElementDataType);
        Assert.Equal(["batch_size", "num_channels", "height", "width"], input.Value.SymbolicDimensions);
        Assert.Equal(["last_hidden_state", "pooler_output"], session.OutputMetadata.Keys.Order());
        Assert.Equal([-1, -1, 768], session.OutputMetadata["last_hidden_state"].Dimensions);
    }

    [Theory]
    [InlineData(224, 224, 201)]
    [InlineData(160, 320, 205)]
    public void Dinov3_twin_emits_cls_four_registers_and_one_token_per_patch(int height, int width, int tokens)
    {
        using var session = new InferenceSession(TwinFiles.Shared.VisionModel);
        var pixels = new DenseTensor<float>(Enumerable.Range(0, 2 * 3 * height * width).Select(i => MathF.Sin(i * 0.001f)).ToArray(), [2, 3, height, width]);

        using var outputs = session.Run([NamedOnnxValue.CreateFromTensor("pixel_values", pixels)]);

        var hidden = outputs.Single(o => o.Name == "last_hidden_state").AsTensor<float>();
        var pooled = outputs.Single(o => o.Name == "pooler_output").AsTensor<float>();
        Assert.Equal([2, tokens, 768], hidden.Dimensions.ToArray());
        Assert.Equal([2, 768], pooled.Dimensions.ToArray());
        Assert.All(hidden.ToArray(), v => Assert.True(float.IsFinite(v)));
        for (var c = 0; c < 768; c += 97)
        {
            Assert.Equal(hidden[1, 0, c], pooled[1, c]);
        }
    }

    [Fact]
    public void Bge_twin_has_berts_interface_and_its_vocabulary_fits_the_embedding_table()
    {
        var twins = TwinFiles.Shared;
        using var session = new InferenceSession(twins.TextModel);
        Assert.Equal(["attention_mask", "input_ids", "token_type_ids"], session.InputMetadata.Keys.Order());
        Assert.All(session.InputMetadata.Values, m => Assert.Equal(TensorElementType.Int64, m.ElementDataType));
        Assert.Equal([-1, -1, 384], session.OutputMetadata["last_hidden_state"].Dimensions);
        Assert.Equal(30_522, File.ReadAllLines(twins.TextVocabulary).Length);
        Assert.Equal(30_522, OnnxModelInspector.FindEmbeddingRows(twins.TextModel, "input_ids"));

        long[] ids = [101, 1996, 4937, 102, 0, 0, 101, 2158, 1999, 2417, 2006, 102];
        long[] mask = [1, 1, 1, 1, 0, 0, 1, 1, 1, 1, 1, 1];
        using var outputs = session.Run(
        [
            NamedOnnxValue.CreateFromTensor("input_ids", new DenseTensor<long>(ids, [2, 6])),
            NamedOnnxValue.CreateFromTensor("attention_mask", new DenseTensor<long>(mask, [2, 6])),
            NamedOnnxValue.CreateFromTensor("token_type_ids", new DenseTensor<long>(new long[12], [2, 6])),
        ]);
        var hidden = outputs.Single().AsTensor<float>();
        Assert.Equal([2, 6, 384], hidden.Dimensions.ToArray());
    }

    [Fact]
    public void The_same_seed_writes_the_same_weights()
    {
        using var temp = new TempFolder();
        var a = DinoV3Head(temp.File("a.onnx"));
        var b = DinoV3Head(temp.File("b.onnx"));
        Assert.Equal(a, b);
    }

    private static byte[] DinoV3Head(string path)
    {
        DinoV3TwinWriter.Write(path, seed: 7);
        using var data = File.OpenRead(path + "_data");
        var head = new byte[4096];
        data.ReadExactly(head);
        return head;
    }

    private static long FloatParameters(string path)
    {
        var model = global::Onnx.ModelProto.Parser.ParseFrom(File.ReadAllBytes(path));
        return model.Graph.Initializer
            .Where(t => t.DataType == (int)global::Onnx.TensorProto.Types.DataType.Float)
            .Sum(t => t.Dims.Aggregate(1L, (a, d) => a * d));
    }
}
