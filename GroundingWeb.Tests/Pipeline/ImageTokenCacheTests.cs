using GroundingWeb.Inference.Pipeline;

namespace GroundingWeb.Tests.Pipeline;

public sealed class ImageTokenCacheTests
{
    private static EncodedImage Tokens(int floats) => new(10, 10, new ImageTokens(new float[floats], floats, 1, 10, 10), null);

    [Fact]
    public void EvictsTheLeastRecentlyUsedEntryWhenFull()
    {
        var cache = new ImageTokenCache(capacityBytes: 3 * 400);
        cache.Add("a", Tokens(100));
        cache.Add("b", Tokens(100));
        cache.Add("c", Tokens(100));
        Assert.True(cache.TryGet("a", out _)); // a is now the most recent

        cache.Add("d", Tokens(100));

        Assert.False(cache.TryGet("b", out _));
        Assert.True(cache.TryGet("a", out _));
        Assert.True(cache.TryGet("c", out _));
        Assert.True(cache.TryGet("d", out _));
        Assert.Equal(1200, cache.SizeBytes);
    }

    [Fact]
    public void EntryLargerThanTheCacheIsNotKept()
    {
        var cache = new ImageTokenCache(capacityBytes: 100);
        cache.Add("small", Tokens(10));

        cache.Add("huge", Tokens(1000));

        Assert.False(cache.TryGet("huge", out _));
        Assert.True(cache.TryGet("small", out _));
    }

    [Fact]
    public void ReplacingAKeyDoesNotCountItTwice()
    {
        var cache = new ImageTokenCache(capacityBytes: 10_000);
        cache.Add("a", Tokens(100));

        cache.Add("a", Tokens(200));

        Assert.Equal(1, cache.Count);
        Assert.Equal(800, cache.SizeBytes);
    }

    [Fact]
    public void CountsHitsAndMisses()
    {
        var cache = new ImageTokenCache(capacityBytes: 10_000);
        cache.Add("a", Tokens(1));

        cache.TryGet("a", out _);
        cache.TryGet("b", out _);

        Assert.Equal(1, cache.Hits);
        Assert.Equal(1, cache.Misses);
    }
}
