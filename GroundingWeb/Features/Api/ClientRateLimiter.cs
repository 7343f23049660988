using System.Threading.RateLimiting;
using Microsoft.Extensions.Options;

namespace GroundingWeb.Features.Api;

/// <summary>
/// The grounding rate limit for the Ground page, with the same budget per client as the API's
/// (RateLimit:GroundRequestsPerMinute): a signed-in user by account, a visitor by IP address.
/// </summary>
public sealed class ClientRateLimiter : IDisposable
{
    private readonly PartitionedRateLimiter<string> _limiter;

    public ClientRateLimiter(IOptions<RateLimitOptions> options)
    {
        var perMinute = options.Value.GroundRequestsPerMinute;
        _limiter = PartitionedRateLimiter.Create<string, string>(client => RateLimitPartition.GetFixedWindowLimiter(client,
            _ => new FixedWindowRateLimiterOptions { PermitLimit = perMinute, Window = TimeSpan.FromMinutes(1), QueueLimit = 0 }));
    }

    /// <summary>Takes one request from the client's budget; false when it is spent for this minute.</summary>
    public bool TryAcquire(string client)
    {
        using var lease = _limiter.AttemptAcquire(client);
        return lease.IsAcquired;
    }

    public static string ClientKey(System.Security.Claims.ClaimsPrincipal user, string? address) =>
        user.Identity?.IsAuthenticated == true
            ? "user:" + user.FindFirst(System.Security.Claims.ClaimTypes.NameIdentifier)?.Value
            : "ip:" + (address ?? "unknown");

    public void Dispose() => _limiter.Dispose();
}
