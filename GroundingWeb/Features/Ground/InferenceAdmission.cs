using Microsoft.Extensions.Options;

namespace GroundingWeb.Features.Ground;

/// <summary>The server has as much grounding work as it admits: the caller should come back after <see cref="RetryAfterSeconds"/>.</summary>
public sealed class ServerBusyException(string message, int retryAfterSeconds) : Exception(message)
{
    public int RetryAfterSeconds { get; } = retryAfterSeconds;
}

/// <summary>
/// Admission control in front of the models: at most <see cref="AdmissionOptions.MaxConcurrent"/>
/// requests run, at most <see cref="AdmissionOptions.MaxQueued"/> wait, none waits longer than
/// <see cref="AdmissionOptions.MaxWaitMilliseconds"/>. A request beyond that is refused at once
/// instead of joining a queue without end, so the admitted ones keep their latency (an unbounded
/// queue under 50 clients gave a p95 of 16 s). Shared by the Ground page and the API.
/// </summary>
public sealed class InferenceAdmission(IOptions<AdmissionOptions> options, GroundingTelemetry telemetry) : IDisposable
{
    private readonly AdmissionOptions _options = options.Value;
    private readonly SemaphoreSlim _slots = new(options.Value.ConcurrentOrCores, options.Value.ConcurrentOrCores);
    private int _queued;
    // Mean service time (exponentially weighted), for the Retry-After estimate; starts at a guess of 100 ms.
    private double _serviceMs = 100;

    public int Queued => Volatile.Read(ref _queued);

    public int Running => _options.ConcurrentOrCores - _slots.CurrentCount;

    /// <summary>A slot to run the models in; dispose it when they are done.</summary>
    /// <exception cref="ServerBusyException">The queue is full, or no slot came free in time.</exception>
    public async Task<IDisposable> EnterAsync(CancellationToken cancellationToken)
    {
        if (!_slots.Wait(0))
        {
            if (Interlocked.Increment(ref _queued) > _options.MaxQueued)
            {
                Interlocked.Decrement(ref _queued);
                throw Busy($"{_options.MaxQueued} grounding request(s) are already waiting");
            }
            try
            {
                if (!await _slots.WaitAsync(_options.MaxWaitMilliseconds, cancellationToken))
                {
                    throw Busy($"no model slot came free within {_options.MaxWaitMilliseconds} ms");
                }
            }
            finally
            {
                Interlocked.Decrement(ref _queued);
            }
        }
        return new Slot(this, TimeProvider.System.GetTimestamp());
    }

    public void Dispose() => _slots.Dispose();

    private ServerBusyException Busy(string why)
    {
        telemetry.RecordRefused();
        // The queue ahead drains at about one service time per slot.
        var seconds = (int)Math.Clamp(Math.Ceiling((Queued + 1) * Volatile.Read(ref _serviceMs) / _options.ConcurrentOrCores / 1000), 1, 60);
        return new ServerBusyException($"The server is busy ({why}); try again in {seconds} s.", seconds);
    }

    private void Exit(long started)
    {
        var ms = TimeProvider.System.GetElapsedTime(started).TotalMilliseconds;
        Volatile.Write(ref _serviceMs, 0.9 * Volatile.Read(ref _serviceMs) + 0.1 * ms);
        _slots.Release();
    }

    private sealed class Slot(InferenceAdmission owner, long started) : IDisposable
    {
        private int _disposed;

        public void Dispose()
        {
            if (Interlocked.Exchange(ref _disposed, 1) == 0) owner.Exit(started);
        }
    }
}
