using System.Text.Json.Nodes;
using GroundingWeb.Authoring.Demo;
using GroundingWeb.Inference.Pipeline;
using GroundingWeb.Inference.Runtime;
using GroundingWeb.Tests.Support;

namespace GroundingWeb.Tests.Pipeline;

/// <summary>The demo bundle's split fusion head in the pipeline, against the same bundle served with its whole graph.</summary>
public sealed class SplitFusionPipelineTests(DemoBundleFixture demo) : IClassFixture<DemoBundleFixture>
{
    private static readonly byte[] Chelsea = File.ReadAllBytes(RepositoryPaths.Sample("chelsea.png"));
    private static readonly string[] Prompts = ["the cat", "the cat's left ear", "a small red square at the top", "the whole picture"];

    [Fact]
    public void SplitAndWholeGraphGiveTheSameBoxes()
    {
        using var copy = DemoBundleCopy.Create(json =>
        {
            json["fusion"]!.AsObject().Remove("imageSide");
            json["fusion"]!.AsObject().Remove("promptSide");
        });
        using var whole = GroundingPipeline.Open(copy.Path, new InferenceOptions { ExecutionProvider = ExecutionProviderPreference.Cpu, WarmUp = false }, preparers: [new DemoEncoders()]);
        var split = demo.CreatePipeline();

        var expected = whole.Ground(Chelsea, Prompts);
        var actual = split.Ground(Chelsea, Prompts);
        var again = split.Ground(Chelsea, Prompts);

        Assert.StartsWith("whole graph", whole.FusionForm, StringComparison.Ordinal);
        Assert.StartsWith("split", split.FusionForm, StringComparison.Ordinal);
        foreach (var result in new[] { actual, again })
        {
            for (var i = 0; i < Prompts.Length; i++)
            {
                var e = expected.Predictions[i].NormalizedBox;
                var a = result.Predictions[i].NormalizedBox;
                Assert.True(Math.Abs(e.X1 - a.X1) <= 1e-5 && Math.Abs(e.Y1 - a.Y1) <= 1e-5 && Math.Abs(e.X2 - a.X2) <= 1e-5 && Math.Abs(e.Y2 - a.Y2) <= 1e-5,
                    $"prompt {i}: whole {e}, split {a}");
            }
        }
        Assert.True(actual.Timings.ImageFusionMs > 0);
        Assert.True(again.ImageTokensCached);
        Assert.Equal(0, again.Timings.ImageFusionMs);
        Assert.Equal(0, expected.Timings.ImageFusionMs);
    }

    [Fact]
    public void TheCacheKeepsTheImageSideInsteadOfTheTokens()
    {
        var pipeline = demo.CreatePipeline();

        pipeline.Ground(Chelsea, ["the cat"]);

        Assert.True(pipeline.Cache.TryGet(pipeline.Ground(Chelsea, ["the cat"]).ImageSha256, out var entry));
        Assert.Null(entry.Tokens);
        var memory = Assert.IsType<FusionMemory>(entry.Memory);
        // Demo head: 3 layers, 6 heads of 32, 196 image tokens; keys and values, float32.
        Assert.Equal([3L, 1, 6, 32, 196], memory.KeysShape);
        Assert.Equal([3L, 1, 6, 196, 32], memory.ValuesShape);
        Assert.Equal(2L * 3 * 6 * 32 * 196 * sizeof(float), entry.SizeInBytes);
        Assert.Equal(entry.SizeInBytes, pipeline.Cache.SizeBytes);
    }
}
