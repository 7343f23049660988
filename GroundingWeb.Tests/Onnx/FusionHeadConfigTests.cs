using GroundingWeb.Authoring.Onnx;

namespace GroundingWeb.Tests.Onnx;

public class FusionHeadConfigTests
{
    [Fact]
    public void ReferenceParameterCountMatchesTheReportedTrainableCount() =>
        Assert.Equal(25_948_420L, FusionHeadConfig.Reference.ParameterCount);

    [Fact]
    public void ReferenceShapesFollowPyTorchNames()
    {
        var shapes = FusionHeadConfig.Reference.ParameterShapes().ToDictionary(p => p.Name, p => p.Shape);

        Assert.Equal([512, 768], shapes["image_proj.weight"]);
        Assert.Equal([512, 384], shapes["text_proj.weight"]);
        Assert.Equal([1536, 512], shapes["decoder.layers.5.self_attn.in_proj_weight"]);
        Assert.Equal([1536], shapes["decoder.layers.0.multihead_attn.in_proj_bias"]);
        Assert.Equal([2048, 512], shapes["decoder.layers.3.linear1.weight"]);
        Assert.Equal([512, 2048], shapes["decoder.layers.3.linear2.weight"]);
        Assert.Equal([512], shapes["decoder.layers.2.norm3.bias"]);
        Assert.Equal([512], shapes["head.0.weight"]);
        Assert.Equal([256, 512], shapes["head.1.weight"]);
        Assert.Equal([4, 256], shapes["head.3.weight"]);
        Assert.Equal(4 + 6 * 18 + 6, shapes.Count);
    }

    [Fact]
    public void JsonRoundTrips()
    {
        var config = new FusionHeadConfig(32, 24, 16, 2, 4, 40);

        var json = config.ToJson();

        Assert.Contains("\"model_dim\":16", json);
        Assert.Equal(config, FusionHeadConfig.FromJson(json));
    }

    [Theory]
    [InlineData(0, 24, 16, 2, 4, 40)]
    [InlineData(32, 24, 16, 0, 4, 40)]
    [InlineData(32, 24, 18, 2, 4, 40)]
    public void InvalidConfigIsRejected(int image, int text, int model, int layers, int heads, int feedForward) =>
        Assert.Throws<ArgumentException>(() => new FusionHeadConfig(image, text, model, layers, heads, feedForward).ParameterShapes());
}
