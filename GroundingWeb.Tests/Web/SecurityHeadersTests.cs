using System.Net;
using System.Net.Http.Json;
using GroundingWeb.Tests.Support;

namespace GroundingWeb.Tests.Web;

public sealed class SecurityHeadersTests(ApiFixture fixture) : IClassFixture<ApiFixture>
{
    [Theory]
    [InlineData("/")]
    [InlineData("/account/login")]
    [InlineData("/api/v1/models")]
    [InlineData("/api/v1/predictions/1")]
    [InlineData("/health/live")]
    [InlineData("/nope-page")]
    public async Task EveryResponseForbidsContentSniffing(string path)
    {
        var response = await fixture.App.Client().GetAsync(path);

        Assert.Equal("nosniff", Assert.Single(response.Headers.GetValues("X-Content-Type-Options")));
        Assert.Equal("strict-origin-when-cross-origin", Assert.Single(response.Headers.GetValues("Referrer-Policy")));
    }

    [Fact]
    public async Task StoredMediaAndTheApiMayRunNothingInABrowser()
    {
        var client = await fixture.App.SignedInClientAsync(GroundingWeb.Data.Roles.Reviewer);
        var grounded = await client.PostAsync("/api/v1/ground", GroundApiTests.Form(File.ReadAllBytes(RepositoryPaths.Sample("chelsea.png")), "the cat"));
        var sha = (await grounded.Content.ReadFromJsonAsync<System.Text.Json.JsonElement>()).GetProperty("image").GetProperty("sha256").GetString();

        var image = await client.GetAsync($"/media/images/{sha}");

        Assert.Equal(HttpStatusCode.OK, image.StatusCode);
        foreach (var response in new[] { grounded, image })
        {
            Assert.Equal("default-src 'none'; frame-ancestors 'none'; sandbox", Assert.Single(response.Headers.GetValues("Content-Security-Policy")));
            Assert.Equal("nosniff", Assert.Single(response.Headers.GetValues("X-Content-Type-Options")));
        }
    }
}
