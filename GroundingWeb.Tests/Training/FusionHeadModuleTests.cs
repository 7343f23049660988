using GroundingWeb.Cli.Training;
using GroundingWeb.Authoring.Onnx;

namespace GroundingWeb.Tests.Training;

public class FusionHeadModuleTests
{
    private static readonly FusionHeadConfig Small = new(12, 10, 8, 2, 2, 16);

    [Fact]
    public void ReferenceModuleHasTheReportedParameterCount()
    {
        using var module = new FusionHeadModule(FusionHeadConfig.Reference);

        var count = module.parameters().Sum(p => p.numel());

        Assert.Equal(25_948_420L, count);
    }

    [Fact]
    public void ParameterNamesAndShapesMatchTheConfig()
    {
        using var module = new FusionHeadModule(Small);

        var actual = module.named_parameters().Select(p => (p.name, string.Join(",", p.parameter.shape))).ToArray();
        var expected = Small.ParameterShapes().Select(p => (p.Name, string.Join(",", p.Shape))).ToArray();

        Assert.Equal(expected.OrderBy(p => p.Item1, StringComparer.Ordinal), actual.OrderBy(p => p.Item1, StringComparer.Ordinal));
    }

    [Fact]
    public void WeightsRoundTripThroughLoadAndExport()
    {
        using var module = new FusionHeadModule(Small);
        var weights = FusionHeadWeights.CreateRandom(Small, 5);

        module.LoadWeights(weights);
        var exported = module.ExportWeights();

        foreach (var tensor in weights.Tensors)
        {
            Assert.Equal(tensor.Data, exported[tensor.Name].Data);
        }
    }

    [Fact]
    public void WeightsForAnotherConfigAreRejected()
    {
        using var module = new FusionHeadModule(Small);

        Assert.Throws<ArgumentException>(() => module.LoadWeights(FusionHeadWeights.CreateRandom(Small with { FeedForward = 20 }, 1)));
    }
}
