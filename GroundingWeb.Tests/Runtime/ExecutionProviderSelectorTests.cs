using GroundingWeb.Inference.Runtime;
using Microsoft.Extensions.Logging.Abstractions;

namespace GroundingWeb.Tests.Runtime;

public sealed class ExecutionProviderSelectorTests
{
    private static ExecutionProviderSelector Selector(ExecutionProviderPreference preference) =>
        new(new InferenceOptions { ExecutionProvider = preference }, NullLogger<ExecutionProviderSelector>.Instance);

    [Fact]
    public void CpuIsUsedWhenAskedFor()
    {
        var selector = Selector(ExecutionProviderPreference.Cpu);

        Assert.Equal("CPU", selector.Provider);
        Assert.Null(selector.FallbackReason);
    }

    [Fact]
    public void AutoUsesCudaWhenItLoadsElseFallsBackToCpuWithAReason()
    {
        var selector = Selector(ExecutionProviderPreference.Auto);

        if (selector.Provider == "CPU")
        {
            Assert.Contains("CUDA 13 and cuDNN 9", selector.FallbackReason);
        }
        else
        {
            Assert.Equal("CUDA", selector.Provider);
            Assert.Null(selector.FallbackReason);
        }
    }

    [Fact]
    public void CudaFailsWithAnExplanationWhenItCannotLoad()
    {
        var auto = Selector(ExecutionProviderPreference.Auto);
        var cuda = Selector(ExecutionProviderPreference.Cuda);

        if (auto.Provider == "CUDA")
        {
            Assert.Equal("CUDA", cuda.Provider);
            return;
        }
        var error = Assert.Throws<InvalidOperationException>(() => cuda.Provider);
        Assert.Contains("Inference:ExecutionProvider is 'Cuda'", error.Message);
    }

    [Fact]
    public void PerSessionPoolsCarryTheConfiguredThreadCounts()
    {
        var selector = new ExecutionProviderSelector(
            new InferenceOptions { ExecutionProvider = ExecutionProviderPreference.Cpu, SharedThreadPool = false, IntraOpThreads = 2, InterOpThreads = 1 },
            NullLogger<ExecutionProviderSelector>.Instance);

        using var options = selector.CreateSessionOptions();

        Assert.Equal(2, options.IntraOpNumThreads);
        Assert.Equal(1, options.InterOpNumThreads);
        Assert.Equal(Microsoft.ML.OnnxRuntime.GraphOptimizationLevel.ORT_ENABLE_ALL, options.GraphOptimizationLevel);
        Assert.Equal("a pool per session (2 thread(s) each, spinning off)", selector.ThreadPool);
    }
}
