using Microsoft.AspNetCore.Identity;

namespace GroundingWeb.Data;

/// <summary>A person who signs in: an admin or a reviewer.</summary>
public sealed class AppUser : IdentityUser
{
    public DateTimeOffset CreatedAt { get; set; } = DateTimeOffset.UtcNow;
}

/// <summary>The two roles of the app; anonymous visitors may only use the Ground page (when allowed).</summary>
public static class Roles
{
    public const string Admin = "Admin";
    public const string Reviewer = "Reviewer";
    public static readonly string[] All = [Admin, Reviewer];
}
