using System.Text.Json.Nodes;
using GroundingWeb.Authoring.Demo;
using GroundingWeb.Authoring.Onnx;
using GroundingWeb.Inference.Bundles;
using GroundingWeb.Inference.Pipeline;
using GroundingWeb.Inference.Runtime;
using GroundingWeb.Tests.Support;

namespace GroundingWeb.Tests.Pipeline;

/// <summary>
/// A bundle whose fusion head has a presence output (issue 15): the manifest declares it with its
/// threshold, the loader checks it, the pipeline gives a probability and a verdict per prompt, whole
/// graph and split form alike; bundles without it give neither.
/// </summary>
public sealed class PresencePipelineTests
{
    private static readonly byte[] Scene = File.ReadAllBytes(RepositoryPaths.Sample("refshapes-scene.png"));
    private static readonly string[] Prompts = ["the red hexagon", "the green star", "the big yellow cross"];
    private static readonly InferenceOptions Cpu = new() { ExecutionProvider = ExecutionProviderPreference.Cpu, WarmUp = false };

    /// <summary>The demo bundle with a presence head of its own shape written in (random weights), whole graph or split.</summary>
    private static TempFolder PresenceBundle(bool split, double threshold = 0.5, Action<JsonNode>? edit = null)
    {
        var copy = DemoBundleCopy.Create(json =>
        {
            if (!split)
            {
                json["fusion"]!.AsObject().Remove("imageSide");
                json["fusion"]!.AsObject().Remove("promptSide");
            }
            json["fusion"]!["presence"] = new JsonObject { ["threshold"] = threshold };
            edit?.Invoke(json);
        });
        var demoHead = FusionHeadOnnxWriter.ReadConfig(File.ReadAllBytes(Path.Combine(RepositoryPaths.DemoBundle, "fusion.onnx")));
        var config = demoHead with { Presence = true };
        foreach (var name in new[] { "fusion.onnx", "fusion_image.onnx", "fusion_prompt.onnx" })
        {
            File.Delete(copy.File(name));
        }
        FusionHeadOnnxWriter.Write(copy.File("fusion.onnx"), config, FusionHeadWeights.CreateRandom(config, 5));
        return copy;
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void EachPromptGetsAProbabilityAndAVerdictAtTheThreshold(bool split)
    {
        using var copy = PresenceBundle(split);
        using var pipeline = GroundingPipeline.Open(copy.Path, Cpu, preparers: [new DemoEncoders()]);

        var result = pipeline.Ground(Scene, Prompts);

        Assert.Equal(split, pipeline.FusionForm.StartsWith("split", StringComparison.Ordinal));
        Assert.All(result.Predictions, p =>
        {
            Assert.InRange(p.Presence!.Value, 0, 1);
            Assert.Equal(p.Presence >= 0.5, p.Found);
        });
        Assert.True(result.Predictions.Select(p => p.Presence!.Value).Distinct().Count() > 1);
    }

    [Fact]
    public void WholeGraphAndSplitFormGiveTheSamePresence()
    {
        using var whole = PresenceBundle(split: false);
        using var split = PresenceBundle(split: true);
        using var a = GroundingPipeline.Open(whole.Path, Cpu, preparers: [new DemoEncoders()]);
        using var b = GroundingPipeline.Open(split.Path, Cpu, preparers: [new DemoEncoders()]);

        var expected = a.Ground(Scene, Prompts).Predictions;
        var actual = b.Ground(Scene, Prompts).Predictions;

        Assert.All(expected.Zip(actual), pair => Assert.True(Math.Abs(pair.First.Presence!.Value - pair.Second.Presence!.Value) <= 1e-5));
    }

    [Fact]
    public void TheThresholdDecidesTheVerdict()
    {
        using var low = PresenceBundle(split: false, threshold: 0.001);
        using var high = PresenceBundle(split: false, threshold: 0.999);
        using var accepting = GroundingPipeline.Open(low.Path, Cpu, preparers: [new DemoEncoders()]);
        using var rejecting = GroundingPipeline.Open(high.Path, Cpu, preparers: [new DemoEncoders()]);

        Assert.All(accepting.Ground(Scene, Prompts).Predictions, p => Assert.True(p.Found));
        Assert.All(rejecting.Ground(Scene, Prompts).Predictions, p => Assert.False(p.Found));
    }

    [Fact]
    public void ABundleWithoutPresenceGivesNoScore()
    {
        using var pipeline = GroundingPipeline.Open(RepositoryPaths.DemoBundle, Cpu, preparers: [new DemoEncoders()]);
        var withoutPresence = pipeline.Manifest.Fusion.Presence is null;

        var result = pipeline.Ground(Scene, Prompts);

        // The committed demo may carry presence (issue 15); a copy without the section must show none.
        using var copy = DemoBundleCopy.Create(json => json["fusion"]!.AsObject().Remove("presence"));
        using var plain = GroundingPipeline.Open(copy.Path, Cpu, preparers: [new DemoEncoders()]);
        Assert.All(plain.Ground(Scene, Prompts).Predictions, p =>
        {
            Assert.Null(p.Presence);
            Assert.Null(p.Found);
        });
        Assert.Equal(withoutPresence, result.Predictions.All(p => p.Presence is null));
    }

    [Theory]
    [InlineData("threshold", 1.5, "'fusion.presence.threshold' is 1.5")]
    [InlineData("threshold", 0.0, "'fusion.presence.threshold' is 0")]
    [InlineData("kind", "odds", "'fusion.presence.kind' is 'odds'")]
    [InlineData("output", "score", "'fusion.presence.output' names 'score'")]
    public void ABadPresenceSectionIsRefusedNamingTheField(string field, object value, string expected)
    {
        using var copy = PresenceBundle(split: false, edit: json => json["fusion"]!["presence"]![field] = JsonValue.Create(value));

        var error = Assert.Throws<BundleException>(() => GroundingPipeline.Open(copy.Path, Cpu, preparers: [new DemoEncoders()]).Dispose());

        Assert.Contains(expected, error.Message);
    }

    [Fact]
    public void APresenceSectionForAHeadWithoutTheOutputIsRefused()
    {
        using var copy = DemoBundleCopy.Create(json =>
        {
            json["fusion"]!.AsObject().Remove("imageSide");
            json["fusion"]!.AsObject().Remove("promptSide");
            json["fusion"]!["presence"] = new JsonObject { ["threshold"] = 0.5 };
        });
        if (FusionHeadOnnxWriter.ReadConfig(File.ReadAllBytes(copy.File("fusion.onnx"))).Presence)
        {
            File.Delete(copy.File("fusion.onnx"));
            var config = FusionHeadOnnxWriter.ReadConfig(File.ReadAllBytes(Path.Combine(RepositoryPaths.DemoBundle, "fusion.onnx"))) with { Presence = false };
            FusionHeadOnnxWriter.Write(copy.File("fusion.onnx"), config, FusionHeadWeights.CreateRandom(config, 1));
        }

        var error = Assert.Throws<BundleException>(() => GroundingPipeline.Open(copy.Path, Cpu, preparers: [new DemoEncoders()]).Dispose());

        Assert.Contains("'fusion.presence.output' names 'presence'", error.Message);
    }
}
