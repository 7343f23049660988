namespace GroundingWeb.Tests;

public class SolutionSmokeTests
{
    [Fact]
    public void InferenceAssemblyLoads() =>
        Assert.Equal("GroundingWeb.Inference", typeof(GroundingWeb.Inference.Onnx.ProtoWriter).Assembly.GetName().Name);
}
