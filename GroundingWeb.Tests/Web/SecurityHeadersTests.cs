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

    [Fact]
    public async Task AnUploadedPolyglotIsServedReEncodedNeverAsItCame()
    {
        // A real PNG with a zip (and an HTML page) after its IEND: valid for the decoder, a zip for unzip.
        var png = Imaging.TestImages.NoisePng(48, 32, seed: 99);
        byte[] zip = [0x50, 0x4B, 0x03, 0x04, .. System.Text.Encoding.ASCII.GetBytes("<html><script>alert(1)</script></html>")];
        byte[] polyglot = [.. png, .. zip];
        var client = await fixture.App.SignedInClientAsync(GroundingWeb.Data.Roles.Reviewer);
        var grounded = await client.PostAsync("/api/v1/ground", GroundApiTests.Form(polyglot, "the square"));
        Assert.Equal(HttpStatusCode.OK, grounded.StatusCode);
        var sha = (await grounded.Content.ReadFromJsonAsync<System.Text.Json.JsonElement>()).GetProperty("image").GetProperty("sha256").GetString();

        var served = await client.GetAsync($"/media/images/{sha}");

        Assert.Equal("image/png", served.Content.Headers.ContentType?.MediaType);
        var bytes = await served.Content.ReadAsByteArrayAsync();
        Assert.Equal(-1, bytes.AsSpan().IndexOf(zip.AsSpan(0, 4)));
        Assert.DoesNotContain("<script>", System.Text.Encoding.Latin1.GetString(bytes));
        var decoded = GroundingWeb.Inference.Imaging.ImageDecoder.Decode(bytes, new GroundingWeb.Inference.Imaging.ImageLimits());
        Assert.Equal((48, 32), (decoded.Width, decoded.Height));
        Assert.Equal(GroundingWeb.Inference.Imaging.ImageDecoder.Decode(png, new GroundingWeb.Inference.Imaging.ImageLimits()).Pixels, decoded.Pixels);
    }

    [Theory]
    [InlineData("/")]
    [InlineData("/account/login")]
    public async Task PagesMayRunOnlyThisSitesScripts(string path)
    {
        var response = await fixture.App.Client().GetAsync(path);

        var policy = Assert.Single(response.Headers.GetValues("Content-Security-Policy"));
        Assert.Equal(GroundingWeb.Operations.SecurityHeaders.PagePolicy, policy);
        Assert.Contains("script-src 'self';", policy);
        Assert.Contains("frame-ancestors 'none'", policy);
    }
}
