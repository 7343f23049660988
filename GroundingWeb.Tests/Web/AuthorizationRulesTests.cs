using System.Net;
using GroundingWeb.Data;
using GroundingWeb.Features.Accounts;
using Microsoft.Extensions.DependencyInjection;
using GroundingWeb.Tests.Support;

namespace GroundingWeb.Tests.Web;

/// <summary>Who may open what: every page and endpoint, for anonymous visitors, reviewers and admins.</summary>
public sealed class AuthorizationRulesTests(ApiFixture fixture) : IClassFixture<ApiFixture>
{
    private TestApp App => fixture.App;

    private static readonly string[] MemberPages =
        ["/history", "/history/1", "/models", "/review", "/review?id=1", "/datasets", "/evaluations", "/evaluations/1", "/evaluations/compare?ids=1,2", "/evaluations/1/samples/0", "/review/export.zip"];

    /// <summary>Member-only downloads that answer 404 for a run that does not exist, once past the sign-in.</summary>
    private static readonly string[] MemberDownloads = ["/evaluations/1/results.csv", "/evaluations/1/results.json", "/evaluations/1/samples/0/image"];
    private static readonly string[] AdminPages = ["/admin/users"];
    private static readonly string[] OpenPages = ["/", "/account/login", "/account/setup", "/account/accept", "/api/index.html", "/openapi/v1.json", "/api/v1/models", "/health/live"];

    [Fact]
    public async Task AnonymousVisitorsGetTheDemoAndTheLoginForEverythingElse()
    {
        var client = App.Client();
        foreach (var page in OpenPages)
        {
            Assert.True((await client.GetAsync(page)).StatusCode == HttpStatusCode.OK, page);
        }
        foreach (var page in MemberPages.Concat(AdminPages))
        {
            var response = await client.GetAsync(page);
            Assert.True(response.StatusCode == HttpStatusCode.Redirect, page);
            Assert.StartsWith("/account/login", response.Headers.Location!.PathAndQuery);
        }
        // Downloads are fetched, not browsed: 401 as for /api and /media.
        foreach (var download in MemberDownloads)
        {
            Assert.True((await client.GetAsync(download)).StatusCode == HttpStatusCode.Unauthorized, download);
        }
        Assert.Equal(HttpStatusCode.Unauthorized, (await client.GetAsync("/api/v1/predictions/1")).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await client.GetAsync($"/media/thumbs/{new string('a', 64)}")).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await client.GetAsync($"/media/images/{new string('a', 64)}")).StatusCode);
    }

    [Fact]
    public async Task ReviewersOpenTeamPagesButNotAdminPages()
    {
        var reviewer = await App.SignedInClientAsync(Roles.Reviewer);
        foreach (var page in MemberPages.Concat(OpenPages))
        {
            Assert.True((await reviewer.GetAsync(page)).StatusCode == HttpStatusCode.OK, page);
        }
        foreach (var download in MemberDownloads)
        {
            Assert.True((await reviewer.GetAsync(download)).StatusCode == HttpStatusCode.NotFound, download);
        }
        foreach (var page in AdminPages)
        {
            var response = await reviewer.GetAsync(page);
            Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
            Assert.StartsWith("/account/denied", response.Headers.Location!.PathAndQuery);
        }
    }

    [Fact]
    public async Task AdminsOpenEverything()
    {
        var admin = await App.SignedInClientAsync(Roles.Admin);
        foreach (var page in MemberPages.Concat(AdminPages).Concat(OpenPages))
        {
            Assert.True((await admin.GetAsync(page)).StatusCode == HttpStatusCode.OK, page);
        }
    }

    [Fact]
    public async Task SignOutEndsTheSession()
    {
        var reviewer = await App.SignedInClientAsync(Roles.Reviewer);
        var response = await TestApp.PostFormAsync(reviewer, "/history", "/account/logout", []);
        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);

        Assert.Equal(HttpStatusCode.Redirect, (await reviewer.GetAsync("/history")).StatusCode);
    }

    [Fact]
    public async Task SignOutWithoutTheAntiforgeryTokenIsRefusedAndTheSessionStays()
    {
        var reviewer = await App.SignedInClientAsync(Roles.Reviewer);

        var forged = await reviewer.PostAsync("/account/logout", new FormUrlEncodedContent([]));
        var bare = await reviewer.PostAsync("/account/logout", null);

        Assert.Equal(HttpStatusCode.BadRequest, forged.StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, bare.StatusCode);
        Assert.Equal("application/problem+json", forged.Content.Headers.ContentType?.MediaType);
        Assert.Equal(HttpStatusCode.OK, (await reviewer.GetAsync("/history")).StatusCode);
    }

    [Theory]
    [InlineData("/account/login", "login-error")]
    [InlineData("/account/setup", "setup-error")]
    [InlineData("/account/accept?token=x", "accept-error")]
    public async Task AnErrorTextALinkSuppliesIsNotShown(string page, string alertId)
    {
        var separator = page.Contains('?') ? '&' : '?';

        var html = await App.Client().GetStringAsync($"{page}{separator}error=Your+account+is+suspended.+Call+%2B1-555-0100");

        Assert.DoesNotContain("suspended", html);
        Assert.DoesNotContain($"id=\"{alertId}\"", html);
    }

    [Fact]
    public async Task TheErrorAFailedSignInSendsBackIsShown()
    {
        var client = App.Client();

        var failed = await TestApp.PostFormAsync(client, "/account/login", "/account/login", new() { ["email"] = "nobody@example.com", ["password"] = "wrong-password" });
        var html = await client.GetStringAsync(failed.Headers.Location!.ToString());

        Assert.Contains("Wrong e-mail or password.", html);
        Assert.Contains("id=\"login-error\"", html);
    }

    [Theory]
    [InlineData("/history\tx")]
    [InlineData("/history\r\nSet-Cookie: a=b")]
    [InlineData("/history\u001b[31m")]
    public async Task ASignInWithAControlCharacterInItsReturnUrlStillSignsInAndGoesHome(string returnUrl)
    {
        const string password = "Passw0rdPassw0rd";
        var email = $"return-{Guid.NewGuid():N}@example.com";
        using (var scope = App.Services.CreateScope())
        {
            Assert.True((await scope.ServiceProvider.GetRequiredService<InvitationService>().CreateUserAsync(email, password, Roles.Reviewer)).Succeeded);
        }
        var client = App.Client();

        var response = await TestApp.PostFormAsync(client, "/account/login", "/account/login",
            new() { ["email"] = email, ["password"] = password, ["returnUrl"] = returnUrl });

        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        Assert.Equal("/", response.Headers.Location!.ToString());
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/history")).StatusCode);
    }
}

/// <summary>With Demo:AllowAnonymous false, grounding too needs an account.</summary>
public sealed class ClosedDemoTests
{
    [Fact]
    public async Task GroundPageAndGroundingApiNeedAnAccount()
    {
        using var app = new TestApp(("Demo:AllowAnonymous", "false"));
        var anonymous = app.Client();

        var page = await anonymous.GetAsync("/");
        Assert.Equal(HttpStatusCode.Redirect, page.StatusCode);
        Assert.StartsWith("/account/login", page.Headers.Location!.PathAndQuery);
        var image = File.ReadAllBytes(RepositoryPaths.Sample("chelsea.png"));
        Assert.Equal(HttpStatusCode.Unauthorized, (await anonymous.PostAsync("/api/v1/ground", GroundApiTests.Form(image, "the cat"))).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await anonymous.GetAsync("/api/v1/models")).StatusCode);

        var reviewer = await app.SignedInClientAsync(Roles.Reviewer);
        Assert.Equal(HttpStatusCode.OK, (await reviewer.GetAsync("/")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await reviewer.PostAsync("/api/v1/ground", GroundApiTests.Form(image, "the cat"))).StatusCode);
    }
}

public sealed class RateLimitTests
{
    [Fact]
    public async Task GroundingOverTheLimitGetsA429ProblemWithRetryAfter()
    {
        using var app = new TestApp(("RateLimit:GroundRequestsPerMinute", "2"));
        var client = app.Client();
        var image = File.ReadAllBytes(RepositoryPaths.Sample("chelsea.png"));

        Assert.Equal(HttpStatusCode.OK, (await client.PostAsync("/api/v1/ground", GroundApiTests.Form(image, "the cat"))).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await client.PostAsync("/api/v1/ground", GroundApiTests.Form(image, "the cat"))).StatusCode);
        var refused = await client.PostAsync("/api/v1/ground", GroundApiTests.Form(image, "the cat"));

        Assert.Equal(HttpStatusCode.TooManyRequests, refused.StatusCode);
        Assert.Equal("application/problem+json", refused.Content.Headers.ContentType?.MediaType);
        Assert.True(refused.Headers.RetryAfter is not null);
        Assert.Equal(2, app.PredictionCount());
    }
}
