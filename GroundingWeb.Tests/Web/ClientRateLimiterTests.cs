using System.Security.Claims;
using GroundingWeb.Features.Api;
using Microsoft.Extensions.Options;

namespace GroundingWeb.Tests.Web;

public sealed class ClientRateLimiterTests
{
    [Fact]
    public void EachClientHasItsOwnBudgetPerMinute()
    {
        using var limiter = new ClientRateLimiter(Options.Create(new RateLimitOptions { GroundRequestsPerMinute = 2 }));

        Assert.True(limiter.TryAcquire("ip:10.0.0.1"));
        Assert.True(limiter.TryAcquire("ip:10.0.0.1"));
        Assert.False(limiter.TryAcquire("ip:10.0.0.1"));
        Assert.True(limiter.TryAcquire("ip:10.0.0.2"));
        Assert.True(limiter.TryAcquire("user:ann"));
    }

    [Fact]
    public void SignedInUsersAreCountedByAccountAndVisitorsByAddress()
    {
        var ann = new ClaimsPrincipal(new ClaimsIdentity([new Claim(ClaimTypes.NameIdentifier, "id-ann")], "cookie"));
        var visitor = new ClaimsPrincipal(new ClaimsIdentity());

        Assert.Equal("user:id-ann", ClientRateLimiter.ClientKey(ann, "10.0.0.1"));
        Assert.Equal("ip:10.0.0.1", ClientRateLimiter.ClientKey(visitor, "10.0.0.1"));
        Assert.Equal("ip:unknown", ClientRateLimiter.ClientKey(visitor, null));
    }
}
