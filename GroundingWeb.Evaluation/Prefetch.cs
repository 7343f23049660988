namespace GroundingWeb.Evaluation;

/// <summary>
/// Loads the next items on the thread pool while the caller works on the current one: reading,
/// decoding and preprocessing images overlap with the models, which leave a core idle between
/// their operators. Bounded: at most <c>depth</c> items are loading or loaded and waiting.
/// </summary>
public static class Prefetch
{
    public const int DefaultDepth = 2;

    /// <summary>The loaded items, in order; <paramref name="load"/> runs at most <paramref name="depth"/> items ahead.</summary>
    public static IEnumerable<TResult> InOrder<TSource, TResult>(IReadOnlyList<TSource> items, Func<TSource, TResult> load, int depth = DefaultDepth,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(items);
        ArgumentNullException.ThrowIfNull(load);
        ArgumentOutOfRangeException.ThrowIfLessThan(depth, 1);
        var pending = new Queue<Task<TResult>>();
        var next = 0;
        try
        {
            while (true)
            {
                while (pending.Count < depth && next < items.Count)
                {
                    var item = items[next++];
                    pending.Enqueue(Task.Run(() => load(item), CancellationToken.None));
                }
                if (pending.Count == 0)
                {
                    yield break;
                }
                cancellationToken.ThrowIfCancellationRequested();
                yield return pending.Dequeue().GetAwaiter().GetResult();
            }
        }
        finally
        {
            // Loads still running finish first, so none touches what the caller disposes after an early stop.
            foreach (var task in pending)
            {
                try
                {
                    task.Wait(CancellationToken.None);
                }
                catch (AggregateException)
                {
                    // The caller stopped early (cancelled, or failed on an earlier item); this item's error is moot.
                }
            }
        }
    }
}
