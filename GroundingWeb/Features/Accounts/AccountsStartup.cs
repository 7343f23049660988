using GroundingWeb.Data;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Identity;

namespace GroundingWeb.Features.Accounts;

/// <summary>
/// Makes sure both roles exist and, while no admin exists, prints the first-run setup link once the
/// server knows its address. Runs after the database is migrated.
/// </summary>
public static class AccountsStartup
{
    public static async Task PrepareAccountsAsync(this WebApplication app)
    {
        using (var scope = app.Services.CreateScope())
        {
            var roles = scope.ServiceProvider.GetRequiredService<RoleManager<IdentityRole>>();
            foreach (var role in Roles.All)
            {
                if (!await roles.RoleExistsAsync(role))
                {
                    await roles.CreateAsync(new IdentityRole(role));
                }
            }

            var users = scope.ServiceProvider.GetRequiredService<UserManager<AppUser>>();
            if ((await users.GetUsersInRoleAsync(Roles.Admin)).Count > 0)
            {
                return;
            }
        }

        var token = app.Services.GetRequiredService<FirstRunSetup>().Open();
        app.Lifetime.ApplicationStarted.Register(() =>
        {
            var addresses = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()?.Addresses;
            var baseUrl = addresses?.FirstOrDefault()?.Replace("://[::]", "://localhost").Replace("://0.0.0.0", "://localhost")
                          ?? "http://localhost:5000";
            // Console, not only the log: this is the one line the person starting the app must see.
            Console.WriteLine();
            Console.WriteLine("No admin account exists yet. Open this one-time link to create it:");
            Console.WriteLine($"  {baseUrl.TrimEnd('/')}/account/setup?token={token}");
            Console.WriteLine();
            app.Logger.LogWarning("No admin account exists yet; the one-time setup link was printed to the console.");
        });
    }
}
