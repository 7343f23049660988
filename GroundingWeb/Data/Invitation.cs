namespace GroundingWeb.Data;

/// <summary>
/// An admin's invitation for a new account. Only the SHA-256 of the token is stored, so a copy of
/// the database does not let anyone accept it.
/// </summary>
public sealed class Invitation
{
    public long Id { get; set; }
    public required string TokenSha256 { get; set; }
    public required string Email { get; set; }
    public required string Role { get; set; }
    public required string InvitedBy { get; set; }
    public DateTimeOffset CreatedAt { get; set; }
    public DateTimeOffset ExpiresAt { get; set; }
    public DateTimeOffset? AcceptedAt { get; set; }
}
