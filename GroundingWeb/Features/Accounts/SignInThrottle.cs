using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;

namespace GroundingWeb.Features.Accounts;

/// <summary>
/// Counts failed account attempts (sign-in, first-run setup, invitation) per client and per client and
/// account, in fixed windows, and refuses the next attempt once a count is spent, before any password
/// is checked. Only failures count, so an office behind one address is not slowed by its own sign-ins.
/// <para>Why per client and account: Identity's account lockout alone let anyone who knew an e-mail
/// address lock that account with ten wrong passwords. One client now gets
/// <see cref="PerAccountFailures"/> tries at an account per window, far below the lockout threshold,
/// which stays as a backstop against guessing spread over many addresses.</para>
/// IPv6 clients count by /64, the block one subscriber is usually given.
/// </summary>
public sealed class SignInThrottle(TimeProvider time)
{
    public const int PerClientFailures = 20;
    public const int PerAccountFailures = 5;
    public static readonly TimeSpan Window = TimeSpan.FromMinutes(15);

    // Bounds the memory an attacker with many addresses can make this take.
    private const int MaxTracked = 100_000;

    private readonly ConcurrentDictionary<string, Counter> _counters = new();

    private sealed class Counter(DateTimeOffset start)
    {
        public DateTimeOffset Start { get; } = start;
        public int Failures;
    }

    /// <summary>
    /// Takes one attempt from the client's (and this account's) allowance before the password is checked,
    /// so parallel requests cannot all pass before any failure is counted. Null when the attempt may go
    /// ahead (call <see cref="Succeeded"/> if it signs in); else how long until the client may try.
    /// </summary>
    public TimeSpan? TryBegin(IPAddress? client, string? account)
    {
        var now = time.GetUtcNow();
        if (RetryAfter(client, account, now) is { } wait)
        {
            return wait;
        }
        Prune(now);
        foreach (var (key, _) in Keys(client, account))
        {
            if (_counters.Count >= MaxTracked && !_counters.ContainsKey(key))
            {
                continue; // full even after pruning: the memory bound wins over tracking a new client
            }
            var counter = _counters.AddOrUpdate(key, _ => new Counter(now), (_, old) => now - old.Start >= Window ? new Counter(now) : old);
            Interlocked.Increment(ref counter.Failures);
        }
        return null;
    }

    /// <summary>The attempt signed in: it was not a failure, so it is given back.</summary>
    public void Succeeded(IPAddress? client, string? account)
    {
        foreach (var (key, _) in Keys(client, account))
        {
            if (_counters.TryGetValue(key, out var counter))
            {
                Interlocked.Decrement(ref counter.Failures);
            }
        }
    }

    /// <summary>A failure counted after the fact (a token that did not match).</summary>
    public void RecordFailure(IPAddress? client, string? account) => TryBegin(client, account);

    /// <summary>Null when the client may try (this account); else how long until it may.</summary>
    public TimeSpan? RetryAfter(IPAddress? client, string? account) => RetryAfter(client, account, time.GetUtcNow());

    private TimeSpan? RetryAfter(IPAddress? client, string? account, DateTimeOffset now)
    {
        TimeSpan? wait = null;
        foreach (var (key, limit) in Keys(client, account))
        {
            if (_counters.TryGetValue(key, out var counter) && now - counter.Start < Window && Volatile.Read(ref counter.Failures) >= limit)
            {
                var left = counter.Start + Window - now;
                wait = wait is null || left > wait ? left : wait;
            }
        }
        return wait;
    }

    private DateTimeOffset _lastPrune;

    // At most once a minute, and only when the table is full, so a flood does not make every attempt scan it.
    private void Prune(DateTimeOffset now)
    {
        if (_counters.Count < MaxTracked || now - _lastPrune < TimeSpan.FromMinutes(1))
        {
            return;
        }
        _lastPrune = now;
        foreach (var stale in _counters.Where(c => now - c.Value.Start >= Window).Select(c => c.Key).ToList())
        {
            _counters.TryRemove(stale, out _);
        }
    }

    private static IEnumerable<(string Key, int Limit)> Keys(IPAddress? client, string? account)
    {
        var address = ClientBlock(client);
        yield return ("client:" + address, PerClientFailures);
        if (!string.IsNullOrWhiteSpace(account))
        {
            // Hashed: the key stays small whatever length of "e-mail" a client sends.
            var normalized = System.Text.Encoding.UTF8.GetBytes(account.Trim().ToUpperInvariant());
            yield return ($"account:{address}:{Convert.ToHexString(System.Security.Cryptography.SHA256.HashData(normalized))[..32]}", PerAccountFailures);
        }
    }

    internal static string ClientBlock(IPAddress? client)
    {
        if (client is null)
        {
            return "unknown";
        }
        if (client.IsIPv4MappedToIPv6)
        {
            client = client.MapToIPv4();
        }
        if (client.AddressFamily != AddressFamily.InterNetworkV6)
        {
            return client.ToString();
        }
        var bytes = client.GetAddressBytes();
        Array.Clear(bytes, 8, 8);
        return new IPAddress(bytes) + "/64";
    }

    /// <summary>What the page says while a client waits.</summary>
    public static string Message(TimeSpan wait) =>
        $"Too many failed attempts from your network. Try again in {Math.Max(1, (int)Math.Ceiling(wait.TotalMinutes))} minute(s).";
}
