using System.Net;
using GroundingWeb.Data;
using GroundingWeb.Tests.Support;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;

namespace GroundingWeb.Tests.Web;

/// <summary>
/// The auth matrix, generated from the app's own endpoint list: every route (pages, API, downloads,
/// media, health, account posts) must be classified below, so a new endpoint fails this test until
/// someone says who may use it; then each is requested as anonymous, reviewer and admin.
/// </summary>
public sealed class EndpointMatrixTests(ApiFixture fixture) : IClassFixture<ApiFixture>
{
    private enum Access { Open, Member, Admin }

    /// <summary>Route (method and pattern as the app maps it) → who may use it, and a URL to try it with.</summary>
    private static readonly Dictionary<string, (Access Access, string Url)> Classified = new()
    {
        ["GET /"] = (Access.Open, "/"),
        ["GET /account/login"] = (Access.Open, "/account/login"),
        ["GET /account/setup"] = (Access.Open, "/account/setup"),
        ["GET /account/accept"] = (Access.Open, "/account/accept"),
        ["GET /account/denied"] = (Access.Open, "/account/denied"),
        ["GET /Error"] = (Access.Open, "/Error"),
        ["POST /account/login"] = (Access.Open, "/account/login"),
        ["POST /account/logout"] = (Access.Open, "/account/logout"),
        ["POST /account/setup"] = (Access.Open, "/account/setup"),
        ["POST /account/accept"] = (Access.Open, "/account/accept"),
        ["POST /api/v1/ground"] = (Access.Open, "/api/v1/ground"),
        ["GET /api/v1/models"] = (Access.Open, "/api/v1/models"),
        ["GET /api/v1/predictions/{id:long}"] = (Access.Member, "/api/v1/predictions/1"),
        ["GET /openapi/{documentName}.json"] = (Access.Open, "/openapi/v1.json"),
        ["GET /health"] = (Access.Open, "/health"),
        ["GET /health/live"] = (Access.Open, "/health/live"),
        ["GET /history"] = (Access.Member, "/history"),
        ["GET /history/{Id:long}"] = (Access.Member, "/history/1"),
        ["GET /review"] = (Access.Member, "/review"),
        ["GET /review/export.zip"] = (Access.Member, "/review/export.zip"),
        ["GET /models"] = (Access.Member, "/models"),
        ["GET /datasets"] = (Access.Member, "/datasets"),
        ["GET /evaluations"] = (Access.Member, "/evaluations"),
        ["GET /evaluations/compare"] = (Access.Member, "/evaluations/compare?ids=1,2"),
        ["GET /evaluations/{Id:long}"] = (Access.Member, "/evaluations/1"),
        ["GET /evaluations/{RunId:long}/samples/{Row:int}"] = (Access.Member, "/evaluations/1/samples/0"),
        ["GET /evaluations/{id:long}/results.csv"] = (Access.Member, "/evaluations/1/results.csv"),
        ["GET /evaluations/{id:long}/results.json"] = (Access.Member, "/evaluations/1/results.json"),
        ["GET /evaluations/{id:long}/samples/{row:int}/image"] = (Access.Member, "/evaluations/1/samples/0/image"),
        ["GET /media/images/{sha256:regex(^[0-9a-f]{{64}}$)}"] = (Access.Member, "/media/images/" + new string('a', 64)),
        ["GET /media/thumbs/{sha256:regex(^[0-9a-f]{{64}}$)}"] = (Access.Member, "/media/thumbs/" + new string('a', 64)),
        ["GET /admin/users"] = (Access.Admin, "/admin/users"),
    };

    private IEnumerable<string> MappedRoutes() =>
        fixture.App.Services.GetRequiredService<EndpointDataSource>().Endpoints.OfType<RouteEndpoint>()
            .Where(e => e.RoutePattern.RawText is { } raw && !IsFramework(raw))
            // A page's POST is Blazor's form handling of the same component: classified by its GET.
            .SelectMany(e => (e.Metadata.GetMetadata<Microsoft.AspNetCore.Components.Endpoints.ComponentTypeMetadata>() is not null
                    ? ["GET"] : e.Metadata.GetMetadata<IHttpMethodMetadata>()?.HttpMethods ?? ["GET"])
                .Where(method => method is "GET" or "POST" or "PUT" or "DELETE" or "PATCH")
                .Select(method => $"{method} {(e.RoutePattern.RawText!.StartsWith('/') ? "" : "/")}{e.RoutePattern.RawText}"))
            .Distinct();

    // Blazor's hub and script, static files (one endpoint per file) and the fallback for unknown URLs.
    private static bool IsFramework(string raw) =>
        raw.TrimStart('/').StartsWith('_') || Path.HasExtension(raw) && !raw.Contains('{') && !raw.EndsWith(".zip", StringComparison.Ordinal)
        || raw.StartsWith("{**", StringComparison.Ordinal) || raw.StartsWith("/{**", StringComparison.Ordinal);

    [Fact]
    public void EveryMappedEndpointIsClassified()
    {
        var mapped = MappedRoutes().ToList();
        Assert.True(mapped.Count >= 25, "the endpoint list was read: " + string.Join(", ", mapped));
        Assert.Empty(mapped.Except(Classified.Keys));
        // And nothing classified is stale: every row names a route the app maps.
        Assert.Empty(Classified.Keys.Except(mapped));
    }

    [Theory]
    [InlineData("anonymous")]
    [InlineData(Roles.Reviewer)]
    [InlineData(Roles.Admin)]
    public async Task EachRoleGetsExactlyWhatItsRowAllows(string who)
    {
        var client = who == "anonymous" ? fixture.App.Client() : await fixture.App.SignedInClientAsync(who);
        foreach (var (route, (access, url)) in Classified.Where(c => c.Key.StartsWith("GET ", StringComparison.Ordinal)))
        {
            var response = await client.GetAsync(url);
            var allowed = access switch
            {
                Access.Open => true,
                Access.Member => who != "anonymous",
                _ => who == Roles.Admin,
            };
            var location = response.Headers.Location?.ToString() ?? "";
            var refused = response.StatusCode is HttpStatusCode.Unauthorized or HttpStatusCode.Forbidden
                          || response.StatusCode == HttpStatusCode.Redirect && (location.Contains("/account/login") || location.Contains("/account/denied"));
            Assert.True(allowed != refused, $"{who} on {route} ({url}): {(int)response.StatusCode} {location}");
            Assert.True((int)response.StatusCode < 500, $"{who} on {route}: {(int)response.StatusCode}");
        }
    }

    [Fact]
    public async Task FormPostsWithoutTheirAntiforgeryTokenAreRefused()
    {
        var client = await fixture.App.SignedInClientAsync(Roles.Admin);
        foreach (var route in Classified.Keys.Where(k => k.StartsWith("POST /account/", StringComparison.Ordinal)))
        {
            var response = await client.PostAsync(route["POST ".Length..], new FormUrlEncodedContent(new Dictionary<string, string>
            {
                ["email"] = "x@example.com", ["password"] = "x", ["token"] = "x", ["confirm"] = "x",
            }));
            Assert.True(response.StatusCode == HttpStatusCode.BadRequest, $"{route}: {(int)response.StatusCode}");
        }
    }
}
