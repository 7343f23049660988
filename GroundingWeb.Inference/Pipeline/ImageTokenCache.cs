using System.Collections.Concurrent;

namespace GroundingWeb.Inference.Pipeline;

/// <summary>
/// Least-recently-used cache of encoded images (image tokens, or a split fusion head's image side) keyed by the SHA-256 of the image bytes, bounded by the
/// memory its tokens take. A second prompt on the same image skips decoding and the vision encoder,
/// and requests for one image that arrive together share one encoder run.
/// </summary>
internal sealed class ImageTokenCache(long capacityBytes)
{
    private readonly Lock _gate = new();
    private readonly Dictionary<string, LinkedListNode<(string Key, EncodedImage Value)>> _index = new();
    private readonly LinkedList<(string Key, EncodedImage Value)> _recency = new();
    private readonly ConcurrentDictionary<string, Lazy<EncodedImage>> _inFlight = new();
    private long _bytes;
    private long _hits;
    private long _misses;

    public long CapacityBytes => capacityBytes;

    public long SizeBytes { get { lock (_gate) return _bytes; } }

    public int Count { get { lock (_gate) return _index.Count; } }

    public long Hits => Interlocked.Read(ref _hits);

    public long Misses => Interlocked.Read(ref _misses);

    /// <summary>
    /// The tokens of the image with <paramref name="key"/>: cached, or computed by <paramref name="encode"/>
    /// and stored. Callers that miss together wait for one <paramref name="encode"/> run; only that caller
    /// sees <paramref name="encodedHere"/> true. A failed run is not remembered.
    /// </summary>
    public EncodedImage GetOrEncode(string key, Func<EncodedImage> encode, out bool encodedHere)
    {
        encodedHere = false;
        if (TryGet(key, out var cached))
        {
            return cached;
        }
        var ranHere = false;
        var mine = new Lazy<EncodedImage>(() =>
        {
            // A run that finished between our miss and now has already stored the tokens.
            if (TryFind(key, out var finished))
            {
                return finished;
            }
            ranHere = true;
            var encoded = encode();
            Add(key, encoded);
            return encoded;
        }, LazyThreadSafetyMode.ExecutionAndPublication);
        var shared = _inFlight.GetOrAdd(key, mine);
        try
        {
            var tokens = shared.Value;
            encodedHere = ranHere;
            return tokens;
        }
        finally
        {
            // Gone once done or failed, so a failure is not remembered for later requests.
            _inFlight.TryRemove(KeyValuePair.Create(key, shared));
        }
    }

    /// <summary>Whether the image is cached now, counting neither a hit nor a miss.</summary>
    public bool Contains(string key)
    {
        lock (_gate) return _index.ContainsKey(key);
    }

    /// <summary>Looks the image up, counting a hit or a miss.</summary>
    public bool TryGet(string key, out EncodedImage tokens)
    {
        var found = TryFind(key, out tokens);
        Interlocked.Increment(ref found ? ref _hits : ref _misses);
        return found;
    }

    private bool TryFind(string key, out EncodedImage tokens)
    {
        lock (_gate)
        {
            if (_index.TryGetValue(key, out var node))
            {
                _recency.Remove(node);
                _recency.AddFirst(node);
                tokens = node.Value.Value;
                return true;
            }
        }
        tokens = null!;
        return false;
    }

    public void Add(string key, EncodedImage tokens)
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
