using System.Security.Cryptography;
using System.Text;
using GroundingWeb.Data;
using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;

namespace GroundingWeb.Features.Accounts;

/// <summary>What an account operation says back: success, or the reasons it was refused.</summary>
public sealed record AccountResult(bool Succeeded, IReadOnlyList<string> Errors)
{
    public static AccountResult Ok { get; } = new(true, []);
    public static AccountResult Fail(params string[] errors) => new(false, errors);
    public static AccountResult From(IdentityResult result) => new(result.Succeeded, result.Errors.Select(e => e.Description).ToList());
}

/// <summary>Creates accounts: the first admin, reviewers an admin creates directly, and invitation links.</summary>
public sealed class InvitationService(UserManager<AppUser> users, AppDbContext db, TimeProvider clock)
{
    public static readonly TimeSpan InvitationLifetime = TimeSpan.FromDays(7);

    public async Task<AccountResult> CreateUserAsync(string email, string password, string role)
    {
        if (!Roles.All.Contains(role))
        {
            return AccountResult.Fail($"Unknown role '{role}'; use {string.Join(" or ", Roles.All)}.");
        }
        var user = new AppUser { UserName = email.Trim(), Email = email.Trim(), EmailConfirmed = true, CreatedAt = clock.GetUtcNow() };
        var created = await users.CreateAsync(user, password);
        if (!created.Succeeded)
        {
            return AccountResult.From(created);
        }
        var added = await users.AddToRoleAsync(user, role);
        if (!added.Succeeded)
        {
            // No half-made account: one without its role could sign in but use nothing.
            await users.DeleteAsync(user);
        }
        return AccountResult.From(added);
    }

    /// <summary>Records an invitation and returns its token, to be sent as a link; only the token's hash is kept.</summary>
    public async Task<(AccountResult Result, string? Token)> InviteAsync(string email, string role, string invitedBy)
    {
        email = email.Trim();
        if (!Roles.All.Contains(role))
        {
            return (AccountResult.Fail($"Unknown role '{role}'."), null);
        }
        if (!new System.ComponentModel.DataAnnotations.EmailAddressAttribute().IsValid(email))
        {
            return (AccountResult.Fail($"'{email}' is not an e-mail address."), null);
        }
        if (await users.FindByEmailAsync(email) is not null)
        {
            return (AccountResult.Fail($"{email} already has an account."), null);
        }
        var token = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(24));
        var now = clock.GetUtcNow();
        db.Invitations.Add(new Invitation
        {
            TokenSha256 = Hash(token), Email = email, Role = role, InvitedBy = invitedBy, CreatedAt = now, ExpiresAt = now + InvitationLifetime,
        });
        await db.SaveChangesAsync();
        return (AccountResult.Ok, token);
    }

    public async Task<Invitation?> FindOpenInvitationAsync(string? token)
    {
        if (string.IsNullOrEmpty(token))
        {
            return null;
        }
        var hash = Hash(token);
        var now = clock.GetUtcNow();
        return await db.Invitations.FirstOrDefaultAsync(i => i.TokenSha256 == hash && i.AcceptedAt == null && i.ExpiresAt > now);
    }

    public async Task<AccountResult> AcceptAsync(string? token, string password)
    {
        var invitation = await FindOpenInvitationAsync(token);
        if (invitation is null)
        {
            return AccountResult.Fail("This invitation link is unknown, used or expired. Ask an admin for a new one.");
        }
        var created = await CreateUserAsync(invitation.Email, password, invitation.Role);
        if (created.Succeeded)
        {
            invitation.AcceptedAt = clock.GetUtcNow();
            await db.SaveChangesAsync();
        }
        return created;
    }

    public async Task<IReadOnlyList<Invitation>> PendingAsync()
    {
        var now = clock.GetUtcNow();
        return await db.Invitations.AsNoTracking().Where(i => i.AcceptedAt == null && i.ExpiresAt > now).OrderBy(i => i.Email).ToListAsync();
    }

    private static string Hash(string token) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(token)));
}
