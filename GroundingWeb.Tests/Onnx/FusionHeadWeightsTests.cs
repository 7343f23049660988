using GroundingWeb.Authoring.Onnx;

namespace GroundingWeb.Tests.Onnx;

public class FusionHeadWeightsTests
{
    private static readonly FusionHeadConfig Small = new(12, 10, 8, 1, 2, 16);

    [Fact]
    public void MissingTensorIsNamed()
    {
        var tensors = FusionHeadWeights.CreateRandom(Small, 1).Tensors.Where(t => t.Name != "decoder.layers.0.linear2.bias");

        var error = Assert.Throws<ArgumentException>(() => new FusionHeadWeights(Small, tensors));

        Assert.Contains("'decoder.layers.0.linear2.bias' is missing", error.Message);
    }

    [Fact]
    public void WrongShapeIsNamed()
    {
        var tensors = FusionHeadWeights.CreateRandom(Small, 1).Tensors
            .Select(t => t.Name == "head.1.weight" ? new NamedTensor(t.Name, [8, 256], t.Data) : t);

        var error = Assert.Throws<ArgumentException>(() => new FusionHeadWeights(Small, tensors));

        Assert.Contains("'head.1.weight' has shape [8, 256]", error.Message);
        Assert.Contains("[256, 8]", error.Message);
    }

    [Fact]
    public void ExtraTensorIsNamed()
    {
        var tensors = FusionHeadWeights.CreateRandom(Small, 1).Tensors.Append(new NamedTensor("decoder.norm.weight", [8], new float[8]));

        var error = Assert.Throws<ArgumentException>(() => new FusionHeadWeights(Small, tensors));

        Assert.Contains("'decoder.norm.weight'", error.Message);
    }

    [Fact]
    public void DataLengthMustMatchShape()
    {
        var tensors = FusionHeadWeights.CreateRandom(Small, 1).Tensors
            .Select(t => t.Name == "text_proj.bias" ? new NamedTensor(t.Name, t.Shape, new float[3]) : t);

        var error = Assert.Throws<ArgumentException>(() => new FusionHeadWeights(Small, tensors));

        Assert.Contains("'text_proj.bias' holds 3 values", error.Message);
    }

    [Fact]
    public void RandomInitFollowsPyTorchDefaults()
    {
        var weights = FusionHeadWeights.CreateRandom(Small, 7);

        Assert.All(weights["decoder.layers.0.norm2.weight"].Data, v => Assert.Equal(1f, v));
        Assert.All(weights["head.0.bias"].Data, v => Assert.Equal(0f, v));
        Assert.All(weights["decoder.layers.0.self_attn.in_proj_bias"].Data, v => Assert.Equal(0f, v));
        var linearBound = 1 / MathF.Sqrt(Small.ImageDim);
        Assert.All(weights["image_proj.weight"].Data, v => Assert.InRange(v, -linearBound, linearBound));
        var xavierBound = MathF.Sqrt(6f / (4 * Small.ModelDim));
        Assert.Contains(weights["decoder.layers.0.self_attn.in_proj_weight"].Data, v => Math.Abs(v) > linearBound);
        Assert.All(weights["decoder.layers.0.self_attn.in_proj_weight"].Data, v => Assert.InRange(v, -xavierBound, xavierBound));
        Assert.Equal(weights["text_proj.weight"].Data, FusionHeadWeights.CreateRandom(Small, 7)["text_proj.weight"].Data);
    }
}
