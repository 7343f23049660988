using GroundingWeb.Evaluation;

namespace GroundingWeb.Tests.Evaluation;

public sealed class PrefetchTests
{
    [Fact]
    public void ItemsComeBackInOrderWithNeverMoreThanTheDepthLoadingAhead()
    {
        var items = Enumerable.Range(0, 40).ToArray();
        var inFlight = 0;
        var most = 0;
        var gate = new Lock();

        var loaded = Prefetch.InOrder(items, i =>
        {
            lock (gate) most = Math.Max(most, ++inFlight);
            Thread.Sleep(i % 3);
            lock (gate) inFlight--;
            return i * 10;
        }, depth: 3).ToList();

        Assert.Equal(items.Select(i => i * 10), loaded);
        Assert.InRange(most, 1, 3);
    }

    [Fact]
    public void StoppingEarlyLoadsNoMoreThanTheDepthBeyondWhatWasTaken()
    {
        var started = 0;

        var taken = Prefetch.InOrder(Enumerable.Range(0, 100).ToArray(), i => Interlocked.Increment(ref started), depth: 2).Take(5).ToList();

        Assert.Equal(5, taken.Count);
        Assert.InRange(Volatile.Read(ref started), 5, 7);
    }

    [Fact]
    public void ALoadThatThrowsSurfacesAtItsTurn()
    {
        var loaded = new List<int>();

        var error = Assert.Throws<InvalidOperationException>(() =>
        {
            foreach (var value in Prefetch.InOrder([1, 2, 3, 4], i => i == 3 ? throw new InvalidOperationException("bad item") : i))
            {
                loaded.Add(value);
            }
        });

        Assert.Equal("bad item", error.Message);
        Assert.Equal([1, 2], loaded);
    }

    [Fact]
    public void CancellationStopsBeforeTheNextItem()
    {
        using var cancel = new CancellationTokenSource();
        var seen = new List<int>();

        Assert.Throws<OperationCanceledException>(() =>
        {
            foreach (var value in Prefetch.InOrder(Enumerable.Range(0, 10).ToArray(), i => i, cancellationToken: cancel.Token))
            {
                seen.Add(value);
                if (value == 2) cancel.Cancel();
            }
        });

        Assert.Equal([0, 1, 2], seen);
    }
}
