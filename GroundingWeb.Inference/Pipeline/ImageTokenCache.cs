namespace GroundingWeb.Inference.Pipeline;

/// <summary>The vision encoder's output for one image, plus the image size the boxes scale to.</summary>
public sealed record ImageTokens(float[] Tokens, int Count, int Width, int ImageWidth, int ImageHeight)
{
    public long SizeInBytes => (long)Tokens.Length * sizeof(float);
}

/// <summary>
/// Least-recently-used cache of image tokens keyed by the SHA-256 of the image bytes, bounded by the
/// memory its tokens take. A second prompt on the same image skips decoding and the vision encoder.
/// </summary>
public sealed class ImageTokenCache(long capacityBytes)
{
    private readonly Lock _gate = new();
    private readonly Dictionary<string, LinkedListNode<(string Key, ImageTokens Value)>> _index = new();
    private readonly LinkedList<(string Key, ImageTokens Value)> _recency = new();
    private long _bytes;
    private long _hits;
    private long _misses;

    public long CapacityBytes => capacityBytes;

    public long SizeBytes { get { lock (_gate) return _bytes; } }

    public int Count { get { lock (_gate) return _index.Count; } }

    public long Hits => Interlocked.Read(ref _hits);

    public long Misses => Interlocked.Read(ref _misses);

    public bool TryGet(string key, out ImageTokens tokens)
    {
        lock (_gate)
        {
            if (_index.TryGetValue(key, out var node))
            {
                _recency.Remove(node);
                _recency.AddFirst(node);
                tokens = node.Value.Value;
                Interlocked.Increment(ref _hits);
                return true;
            }
        }
        Interlocked.Increment(ref _misses);
        tokens = null!;
        return false;
    }

    public void Add(string key, ImageTokens tokens)
    {
        // An entry larger than the whole cache would only evict everything else and then itself.
        if (tokens.SizeInBytes > capacityBytes)
        {
            return;
        }
        lock (_gate)
        {
            if (_index.Remove(key, out var existing))
            {
                _recency.Remove(existing);
                _bytes -= existing.Value.Value.SizeInBytes;
            }
            _index[key] = _recency.AddFirst((key, tokens));
            _bytes += tokens.SizeInBytes;
            while (_bytes > capacityBytes && _recency.Last is { } oldest)
            {
                _recency.RemoveLast();
                _index.Remove(oldest.Value.Key);
                _bytes -= oldest.Value.Value.SizeInBytes;
            }
        }
    }
}
