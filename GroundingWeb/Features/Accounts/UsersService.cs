using GroundingWeb.Data;
using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;

namespace GroundingWeb.Features.Accounts;

/// <summary>One account as the Users page lists it.</summary>
public sealed record UserRow(string Email, IList<string> Roles, DateTimeOffset CreatedAt);

/// <summary>
/// The Users page's operations. Each runs in a scope of its own, so Identity's stores get a short-lived
/// database context per operation rather than one for the whole circuit (which lives for minutes and
/// would serve stale, tracked users). Storage failures come back as a refused <see cref="AccountResult"/>.
/// </summary>
public sealed class UsersService(IServiceScopeFactory scopes, ILogger<UsersService> logger)
{
    public async Task<IReadOnlyList<UserRow>> ListAsync()
    {
        await using var scope = scopes.CreateAsyncScope();
        var users = scope.ServiceProvider.GetRequiredService<UserManager<AppUser>>();
        var rows = new List<UserRow>();
        foreach (var user in await users.Users.AsNoTracking().OrderBy(u => u.Email).ToListAsync())
        {
            rows.Add(new UserRow(user.Email ?? user.UserName ?? user.Id, await users.GetRolesAsync(user), user.CreatedAt));
        }
        return rows;
    }

    public async Task<IReadOnlyList<Invitation>> PendingInvitationsAsync()
    {
        await using var scope = scopes.CreateAsyncScope();
        return await scope.ServiceProvider.GetRequiredService<InvitationService>().PendingAsync();
    }

    public Task<AccountResult> CreateUserAsync(string email, string password, string role) =>
        InScopeAsync(accounts => accounts.CreateUserAsync(email, password, role), result => result);

    public Task<(AccountResult Result, string? Token)> InviteAsync(string email, string role, string invitedBy) =>
        InScopeAsync(accounts => accounts.InviteAsync(email, role, invitedBy), result => (result, null));

    private async Task<T> InScopeAsync<T>(Func<InvitationService, Task<T>> operation, Func<AccountResult, T> refused)
    {
        await using var scope = scopes.CreateAsyncScope();
        try
        {
            return await operation(scope.ServiceProvider.GetRequiredService<InvitationService>());
        }
        catch (Exception ex) when (StorageException.IsStorageFailure(ex))
        {
            logger.LogError(ex, "An account change could not be stored.");
            return refused(AccountResult.Fail($"The change could not be saved ({ex.Message}). Try again in a moment."));
        }
    }
}
