using System.ComponentModel.DataAnnotations;

namespace GroundingWeb.Features.Api;

/// <summary>Options of section <c>RateLimit</c>: how often one client (user, else IP address) may ground.</summary>
public sealed class RateLimitOptions
{
    public const string SectionName = "RateLimit";
    public const string GroundPolicy = "ground";

    [Range(1, 100_000)]
    public int GroundRequestsPerMinute { get; set; } = 30;
}
