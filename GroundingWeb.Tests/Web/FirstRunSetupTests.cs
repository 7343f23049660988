using System.Net;
using GroundingWeb.Features.Accounts;
using GroundingWeb.Data;
using GroundingWeb.Tests.Support;
using Microsoft.AspNetCore.Identity;
using Microsoft.Extensions.DependencyInjection;

namespace GroundingWeb.Tests.Web;

public sealed class FirstRunSetupTests
{
    private static Dictionary<string, string> AdminForm(string token, string confirm = "Adm1nPassword") => new()
    {
        ["token"] = token, ["email"] = "first-admin@example.com", ["password"] = "Adm1nPassword", ["confirm"] = confirm,
    };

    [Fact]
    public async Task TheSetupLinkCreatesTheFirstAdminOnceAndOnlyWithItsToken()
    {
        using var app = new TestApp();
        var client = app.Client();
        _ = await client.GetAsync("/");
        var setup = app.Services.GetRequiredService<FirstRunSetup>();
        Assert.True(setup.IsOpen);
        var token = setup.Open();

        var wrong = await TestApp.PostFormAsync(client, "/account/login", "/account/setup", AdminForm(new string('0', token.Length)));
        Assert.Contains("error=", wrong.Headers.Location!.ToString());
        var mismatch = await TestApp.PostFormAsync(client, "/account/login", "/account/setup", AdminForm(token, confirm: "Different1Password"));
        Assert.Contains("error=", mismatch.Headers.Location!.ToString());
        Assert.Equal(0, await AdminCount(app));

        var created = await TestApp.PostFormAsync(client, $"/account/setup?token={token}", "/account/setup", AdminForm(token));
        Assert.Equal(HttpStatusCode.Redirect, created.StatusCode);
        Assert.Equal("/admin/users", created.Headers.Location!.ToString());
        Assert.Equal(1, await AdminCount(app));
        Assert.False(setup.IsOpen);
        // Signed in as the new admin straight away.
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/admin/users")).StatusCode);

        // The link is spent: a second use makes nobody.
        var again = await TestApp.PostFormAsync(app.Client(), "/account/login", "/account/setup", AdminForm(token));
        Assert.Contains("error=", again.Headers.Location!.ToString());
        Assert.Equal(1, await AdminCount(app));
    }

    [Fact]
    public async Task NoSetupLinkOnceAnAdminExists()
    {
        using var app = new TestApp();
        _ = await app.SignedInClientAsync(Roles.Admin);
        // A restart with an admin in the database opens no setup.
        using var restarted = new TestApp(("Data:Folder", app.DataFolder));
        _ = await restarted.Client().GetAsync("/");

        Assert.False(restarted.Services.GetRequiredService<FirstRunSetup>().IsOpen);
        Assert.Contains("setup-closed", await restarted.Client().GetStringAsync("/account/setup?token=anything"));
    }

    [Fact]
    public async Task WrongPasswordsDoNotSignIn()
    {
        using var app = new TestApp();
        _ = await app.SignedInClientAsync(Roles.Reviewer, "someone@example.com");
        var client = app.Client();

        var response = await TestApp.PostFormAsync(client, "/account/login", "/account/login",
            new() { ["email"] = "someone@example.com", ["password"] = "not-the-password" });

        Assert.Contains("error=", response.Headers.Location!.ToString());
        Assert.Equal(HttpStatusCode.Redirect, (await client.GetAsync("/history")).StatusCode);
    }

    [Fact]
    public async Task LoginRefusesToRedirectToAnotherSite()
    {
        Assert.Equal("/", AccountEndpoints.SafeReturnUrl("https://evil.example.com/"));
        Assert.Equal("/", AccountEndpoints.SafeReturnUrl("//evil.example.com/"));
        Assert.Equal("/history?page=2", AccountEndpoints.SafeReturnUrl("/history?page=2"));
        await Task.CompletedTask;
    }

    [Fact]
    public async Task AnInvitationLinkCreatesTheInvitedAccountOnce()
    {
        using var app = new TestApp();
        string token;
        using (var scope = app.Services.CreateScope())
        {
            var accounts = scope.ServiceProvider.GetRequiredService<InvitationService>();
            var (result, issued) = await accounts.InviteAsync("new-reviewer@example.com", Roles.Reviewer, "admin@example.com");
            Assert.True(result.Succeeded);
            token = issued!;
        }
        var client = app.Client();
        Assert.Contains("new-reviewer@example.com", await client.GetStringAsync($"/account/accept?token={token}"));

        var accepted = await TestApp.PostFormAsync(client, $"/account/accept?token={token}", "/account/accept",
            new() { ["token"] = token, ["password"] = "Rev1ewerPassword", ["confirm"] = "Rev1ewerPassword" });

        Assert.Equal("/history", accepted.Headers.Location!.ToString());
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/history")).StatusCode);
        using (var scope = app.Services.CreateScope())
        {
            var users = scope.ServiceProvider.GetRequiredService<UserManager<AppUser>>();
            var user = await users.FindByEmailAsync("new-reviewer@example.com");
            Assert.Equal([Roles.Reviewer], await users.GetRolesAsync(user!));
        }
        var reused = await TestApp.PostFormAsync(app.Client(), "/account/login", "/account/accept",
            new() { ["token"] = token, ["password"] = "Rev1ewerPassword", ["confirm"] = "Rev1ewerPassword" });
        Assert.Contains("error=", reused.Headers.Location!.ToString());
    }

    private static async Task<int> AdminCount(TestApp app)
    {
        using var scope = app.Services.CreateScope();
        return (await scope.ServiceProvider.GetRequiredService<UserManager<AppUser>>().GetUsersInRoleAsync(Roles.Admin)).Count;
    }
}
