using GroundingWeb.Inference.Imaging;
using GroundingWeb.Inference.Pipeline;
using GroundingWeb.Tests.Support;

namespace GroundingWeb.Tests.Pipeline;

public sealed class GroundingPipelineTests(DemoBundleFixture demo) : IClassFixture<DemoBundleFixture>
{
    private static readonly byte[] Chelsea = File.ReadAllBytes(RepositoryPaths.Sample("chelsea.png"));

    [Fact]
    public void SecondPromptOnTheSameImageDoesNotRunTheVisionEncoderAgain()
    {
        var pipeline = demo.CreatePipeline();

        var first = pipeline.Ground(Chelsea, ["the cat"]);
        var second = pipeline.Ground(Chelsea.ToArray(), ["the cat's left ear"]);

        Assert.Equal(1, pipeline.VisionEncoderRuns);
        Assert.False(first.ImageTokensCached);
        Assert.True(second.ImageTokensCached);
        Assert.Equal(0, second.Timings.VisionMs);
        Assert.Equal(first.ImageSha256, second.ImageSha256);
    }

    [Fact]
    public void PromptLengthCountsCharactersNotUtf16Units()
    {
        var pipeline = demo.CreatePipeline();
        var emoji = string.Concat(Enumerable.Repeat("\U0001F600", 257));

        Assert.Equal(514, emoji.Length);
        Assert.Null(pipeline.PromptProblem(emoji));
        Assert.Equal("has 513 characters; the limit is 512.", pipeline.PromptProblem(string.Concat(Enumerable.Repeat("\U0001F600", 513))));
        Assert.Equal("has 513 characters; the limit is 512.", pipeline.PromptProblem(new string('a', 513)));
    }

    [Fact]
    public void APreparedImageGroundsAsItsBytesDo()
    {
        var byBytes = demo.CreatePipeline().Ground(Chelsea, ["the cat", "the cat's left ear"]);
        var pipeline = demo.CreatePipeline();

        var prepared = pipeline.Prepare(Chelsea);
        var byPrepared = pipeline.Ground(prepared, ["the cat", "the cat's left ear"]);

        Assert.Equal(byBytes.ImageSha256, prepared.Key);
        Assert.Equal(byBytes.Predictions.Select(p => p.PixelBox), byPrepared.Predictions.Select(p => p.PixelBox));
        Assert.False(byPrepared.ImageTokensCached);
        Assert.True(byPrepared.Timings.DecodeMs > 0 && byPrepared.Timings.VisionMs > 0);
        Assert.Equal(1, pipeline.VisionEncoderRuns);
    }

    [Fact]
    public void AnImageCachedWhenPreparedAndEvictedSinceIsDecodedAgain()
    {
        var pipeline = demo.CreatePipeline();
        pipeline.Ground(Chelsea, ["the cat"]);
        var prepared = pipeline.Prepare(Chelsea);
        var cachedBoxes = pipeline.Ground(prepared, ["the cat"]);

        Assert.True(cachedBoxes.ImageTokensCached);
        Assert.Equal(0, cachedBoxes.Timings.DecodeMs);
        // Evict it: more entries of its size than the cache holds.
        Assert.True(pipeline.Cache.TryGet(prepared.Key, out var entry));
        for (var i = 0; i <= pipeline.Cache.CapacityBytes / entry.SizeInBytes; i++) pipeline.Cache.Add($"filler-{i}", entry);
        Assert.False(pipeline.Cache.Contains(prepared.Key));

        var again = pipeline.Ground(prepared, ["the cat"]);

        Assert.False(again.ImageTokensCached);
        Assert.Equal(cachedBoxes.Predictions[0].PixelBox, again.Predictions[0].PixelBox);
        Assert.Equal(2, pipeline.VisionEncoderRuns);
    }

    [Fact]
    public void SimultaneousRequestsForOneImageShareOneEncoderRun()
    {
        var pipeline = demo.CreatePipeline();
        const int requests = 4;
        var results = new GroundingResult?[requests];
        var failures = new Exception?[requests];
        // Threads of their own (pool tasks would run two at a time on two cores), released together by
        // the barrier so that every request misses the cache before the first encoder run ends.
        using var start = new Barrier(requests);
        var threads = Enumerable.Range(0, requests).Select(i => new Thread(() =>
        {
            start.SignalAndWait();
            try
            {
                results[i] = pipeline.Ground(Chelsea, [$"prompt {i}"]);
            }
            catch (Exception ex)
            {
                failures[i] = ex;
            }
        })).ToList();

        threads.ForEach(t => t.Start());
        threads.ForEach(t => t.Join());

        Assert.All(failures, Assert.Null);
        Assert.Equal(1, pipeline.VisionEncoderRuns);
        Assert.Single(results, r => !r!.ImageTokensCached);
    }

    [Fact]
    public void DifferentImagesEachRunTheVisionEncoder()
    {
        var pipeline = demo.CreatePipeline();

        pipeline.Ground(Chelsea, ["the cat"]);
        pipeline.Ground(File.ReadAllBytes(RepositoryPaths.Sample("coffee.png")), ["the cup"]);

        Assert.Equal(2, pipeline.VisionEncoderRuns);
    }

    [Fact]
    public void ACacheTooSmallForTheTokensNeverHits()
    {
        var pipeline = demo.CreatePipeline(cacheBytes: 0);

        pipeline.Ground(Chelsea, ["the cat"]);
        var again = pipeline.Ground(Chelsea, ["the cat"]);

        Assert.False(again.ImageTokensCached);
        Assert.Equal(2, pipeline.VisionEncoderRuns);
    }

    [Fact]
    public void PromptsOfABatchGetTheBoxesTheyGetAlone()
    {
        // Padding the shorter prompt must not change its answer: the mask hides the padding.
        var pipeline = demo.CreatePipeline();
        string[] prompts = ["cat", "the small grey cat lying on the left of the picture", "ear"];

        var batch = pipeline.Ground(Chelsea, prompts);

        for (var i = 0; i < prompts.Length; i++)
        {
            var alone = pipeline.Ground(Chelsea, [prompts[i]]).Predictions[0].NormalizedBox;
            var inBatch = batch.Predictions[i].NormalizedBox;
            Assert.Equal(alone.X1, inBatch.X1, 1e-4f);
            Assert.Equal(alone.Y1, inBatch.Y1, 1e-4f);
            Assert.Equal(alone.X2, inBatch.X2, 1e-4f);
            Assert.Equal(alone.Y2, inBatch.Y2, 1e-4f);
            Assert.Equal(prompts[i], batch.Predictions[i].Prompt);
        }
    }

    [Fact]
    public void PixelBoxIsTheNormalisedBoxScaledToTheImageAndClamped()
    {
        var result = demo.CreatePipeline().Ground(Chelsea, ["the cat"]);

        var p = result.Predictions[0];
        Assert.Equal(451, result.ImageWidth);
        Assert.Equal(300, result.ImageHeight);
        Assert.Equal(Math.Clamp(p.NormalizedBox.X1 * 451, 0, 451), p.PixelBox.X1, 1e-3f);
        Assert.Equal(Math.Clamp(p.NormalizedBox.Y2 * 300, 0, 300), p.PixelBox.Y2, 1e-3f);
        Assert.InRange(p.PixelBox.X2, 0, 451);
        Assert.InRange(p.PixelBox.Y1, 0, 300);
        Assert.Equal("CPU", result.Provider);
        Assert.True(result.Timings.TotalMs > 0);
    }

    [Theory]
    [InlineData(new string[0], "at least one prompt")]
    [InlineData(new[] { "cat", "  " }, "Prompt 2 is empty")]
    public void BadPromptsAreRefused(string[] prompts, string expected)
    {
        var error = Assert.Throws<GroundingInputException>(() => demo.CreatePipeline().Ground(Chelsea, prompts));

        Assert.Contains(expected, error.Message);
    }

    [Fact]
    public void OverlongAndTooManyPromptsAreRefused()
    {
        var pipeline = demo.CreatePipeline();

        Assert.Contains("characters", Assert.Throws<GroundingInputException>(() => pipeline.Ground(Chelsea, [new string('a', 513)])).Message);
        Assert.Contains("at most 16", Assert.Throws<GroundingInputException>(() => pipeline.Ground(Chelsea, Enumerable.Repeat("cat", 17).ToArray())).Message);
    }

    [Fact]
    public void CorruptImageIsRefusedAndNothingIsCached()
    {
        var pipeline = demo.CreatePipeline();

        Assert.Throws<ImageDecodeException>(() => pipeline.Ground(Chelsea.AsMemory(0, 200), ["the cat"]));

        Assert.Equal(0, pipeline.Cache.Count);
        Assert.Equal(0, pipeline.VisionEncoderRuns);
    }

    [Fact]
    public void WarmUpRunsEveryModelWithoutCountingAsAnImage()
    {
        var pipeline = demo.CreatePipeline();

        pipeline.WarmUp();

        Assert.Equal(0, pipeline.VisionEncoderRuns);
        Assert.Equal(0, pipeline.Cache.Count);
    }
}
