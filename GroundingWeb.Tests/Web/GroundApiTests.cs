using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using GroundingWeb.Features.Api;
using GroundingWeb.Data;
using GroundingWeb.Tests.Imaging;
using GroundingWeb.Tests.Support;

namespace GroundingWeb.Tests.Web;

public sealed class GroundApiTests(ApiFixture fixture) : IClassFixture<ApiFixture>
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);
    private TestApp App => fixture.App;

    internal static MultipartFormDataContent Form(byte[]? image, params string[] prompts)
    {
        var form = new MultipartFormDataContent();
        if (image is not null)
        {
            var file = new ByteArrayContent(image);
            file.Headers.ContentType = new MediaTypeHeaderValue("application/octet-stream");
            form.Add(file, "image", "upload.png");
        }
        foreach (var prompt in prompts)
        {
            form.Add(new StringContent(prompt), "prompt");
        }
        return form;
    }

    private static byte[] Chelsea => File.ReadAllBytes(RepositoryPaths.Sample("chelsea.png"));

    [Fact]
    public async Task GroundReturnsOneBoxPerPromptAndStoresThem()
    {
        var client = App.Client();
        var response = await client.PostAsync("/api/v1/ground", Form(Chelsea, "the cat", "the left part"));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var body = (await response.Content.ReadFromJsonAsync<GroundResponse>(Json))!;
        Assert.Equal(["the cat", "the left part"], body.Predictions.Select(p => p.Prompt));
        Assert.Equal((451, 300), (body.Image.Width, body.Image.Height));
        Assert.Equal("refshapes-demo", body.Model.Name);
        Assert.True(body.Model.Trained);
        Assert.Equal("CPU", body.Provider);
        Assert.True(body.Timings.TotalMs > 0);
        foreach (var p in body.Predictions)
        {
            Assert.InRange(p.Box[0], 0, 451);
            Assert.InRange(p.Box[2], p.Box[0], 451);
            Assert.InRange(p.Box[3], p.Box[1], 300);
            Assert.Equal(p.Box[0] / 451, p.BoxNormalized[0], 3);
        }

        // A member reads the stored prediction back with the same box.
        var member = await App.SignedInClientAsync(Roles.Reviewer);
        var stored = (await member.GetFromJsonAsync<PredictionResponse>($"/api/v1/predictions/{body.Predictions[0].Id}", Json))!;
        Assert.Equal("the cat", stored.Prompt);
        Assert.Equal(body.Predictions[0].Box, stored.Box);
        Assert.Equal(body.Image.Sha256, stored.Image.Sha256);
        Assert.Null(stored.User);
        Assert.Equal("Unreviewed", stored.ReviewState);
    }

    /// <summary>Issue 15: the demo's presence head gives each prompt a score and a verdict, stored with the prediction.</summary>
    [Fact]
    public async Task EachPromptCarriesItsPresenceScoreAndVerdictAndTheyAreStored()
    {
        var client = App.Client();
        var scene = File.ReadAllBytes(RepositoryPaths.Sample("refshapes-scene.png"));
        var response = await client.PostAsync("/api/v1/ground", Form(scene, "the blue square on the right", "the green star"));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var body = (await response.Content.ReadFromJsonAsync<GroundResponse>(Json))!;
        var threshold = body.Model.PresenceThreshold!.Value;
        Assert.InRange(threshold, 0.001, 0.999);
        Assert.All(body.Predictions, p => Assert.Equal(p.Presence >= threshold, p.Found));
        Assert.Equal([true, false], body.Predictions.Select(p => p.Found!.Value));

        var member = await App.SignedInClientAsync(Roles.Reviewer);
        var stored = (await member.GetFromJsonAsync<PredictionResponse>($"/api/v1/predictions/{body.Predictions[1].Id}", Json))!;
        Assert.Equal(body.Predictions[1].Presence!.Value, stored.Presence!.Value, 6);
        Assert.False(stored.Found);
        // The stored verdict says which threshold decided it.
        Assert.Equal(threshold, stored.Model.PresenceThreshold);
    }

    [Fact]
    public async Task SecondRequestOnTheSameImageUsesTheCachedImageTokens()
    {
        var client = App.Client();
        var image = File.ReadAllBytes(RepositoryPaths.Sample("coffee.png"));
        await client.PostAsync("/api/v1/ground", Form(image, "the cup"));
        var second = (await (await client.PostAsync("/api/v1/ground", Form(image, "the saucer"))).Content.ReadFromJsonAsync<GroundResponse>(Json))!;

        Assert.True(second.ImageTokensCached);
        Assert.Equal(0, second.Timings.VisionMs);
    }

    [Fact]
    public async Task PredictionsOfSignedInUsersCarryTheirName()
    {
        var member = await App.SignedInClientAsync(Roles.Reviewer, "named-reviewer@example.com");
        var body = (await (await member.PostAsync("/api/v1/ground", Form(Chelsea, "the cat"))).Content.ReadFromJsonAsync<GroundResponse>(Json))!;
        var stored = (await member.GetFromJsonAsync<PredictionResponse>($"/api/v1/predictions/{body.Predictions[0].Id}", Json))!;

        Assert.Equal("named-reviewer@example.com", stored.User);
    }

    public static TheoryData<string, HttpStatusCode, string> BadRequests => new()
    {
        { "no-image", HttpStatusCode.BadRequest, "No image" },
        { "no-prompt", HttpStatusCode.BadRequest, "No prompt" },
        { "empty-prompt", HttpStatusCode.BadRequest, "Invalid prompts" },
        { "long-prompt", HttpStatusCode.BadRequest, "Invalid prompts" },
        { "too-many-prompts", HttpStatusCode.BadRequest, "Invalid prompts" },
        { "not-an-image", HttpStatusCode.UnsupportedMediaType, "Unusable image" },
        { "corrupt-png", HttpStatusCode.BadRequest, "Unusable image" },
        { "truncated-png", HttpStatusCode.BadRequest, "Unusable image" },
        { "bomb", HttpStatusCode.RequestEntityTooLarge, "Unusable image" },
        { "too-many-bytes", HttpStatusCode.RequestEntityTooLarge, "Image too large" },
    };

    [Theory]
    [MemberData(nameof(BadRequests))]
    public async Task BadInputGetsAProblemDocumentAndStoresNothing(string kind, HttpStatusCode status, string title)
    {
        var before = (App.PredictionCount(), App.StoredImageFileCount());
        var content = kind switch
        {
            "no-image" => Form(null, "the cat"),
            "no-prompt" => Form(Chelsea),
            "empty-prompt" => Form(Chelsea, "the cat", "   "),
            "long-prompt" => Form(Chelsea, new string('a', 513)),
            "too-many-prompts" => Form(Chelsea, Enumerable.Range(0, 17).Select(i => $"prompt {i}").ToArray()),
            "not-an-image" => Form("just some text, not pixels"u8.ToArray(), "the cat"),
            "corrupt-png" => Form([.. Chelsea.AsSpan(0, 2000)], "the cat"),
            // Cut at 99 %: ImageSharp alone decodes it, black below the cut.
            "truncated-png" => Form([.. Chelsea.AsSpan(0, Chelsea.Length * 99 / 100)], "the cat"),
            "bomb" => Form(TestImages.PngHeaderOnly(50_000, 50_000), "the cat"),
            "too-many-bytes" => Form(new byte[1_100_000], "the cat"),
            _ => throw new ArgumentOutOfRangeException(nameof(kind)),
        };

        var response = await App.Client().PostAsync("/api/v1/ground", content);

        Assert.Equal(status, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var problem = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal(title, problem.GetProperty("title").GetString());
        Assert.Equal((int)status, problem.GetProperty("status").GetInt32());
        Assert.False(string.IsNullOrWhiteSpace(problem.GetProperty("detail").GetString()));
        Assert.Equal(before, (App.PredictionCount(), App.StoredImageFileCount()));
    }

    [Fact]
    public async Task APromptFieldThatIsNotUtf8IsRefusedAndAUtf8ByteOrderMarkIsDropped()
    {
        var before = App.PredictionCount();
        HttpContent Field(byte[] bytes) => new ByteArrayContent(bytes);
        using var utf16 = new MultipartFormDataContent { { new ByteArrayContent(Chelsea), "image", "chelsea.png" }, { Field([0xFF, 0xFE, .. System.Text.Encoding.Unicode.GetBytes("the cat")]), "prompt" } };
        using var bom = new MultipartFormDataContent { { new ByteArrayContent(Chelsea), "image", "chelsea.png" }, { Field([0xEF, 0xBB, 0xBF, .. "the cat"u8.ToArray()]), "prompt" } };

        var refused = await App.Client().PostAsync("/api/v1/ground", utf16);
        var accepted = await App.Client().PostAsync("/api/v1/ground", bom);

        Assert.Equal(HttpStatusCode.BadRequest, refused.StatusCode);
        Assert.Contains("is not UTF-8 text", (await refused.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("detail").GetString());
        Assert.Equal(HttpStatusCode.OK, accepted.StatusCode);
        var body = (await accepted.Content.ReadFromJsonAsync<GroundResponse>(Json))!;
        Assert.Equal("the cat", body.Predictions[0].Prompt);
        Assert.Equal(before + 1, App.PredictionCount());
    }

    [Fact]
    public async Task JsonBodyInsteadOfAFormIsUnsupported()
    {
        var response = await App.Client().PostAsJsonAsync("/api/v1/ground", new { prompt = "the cat" });

        Assert.Equal(HttpStatusCode.UnsupportedMediaType, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
    }

    [Fact]
    public async Task UnknownPredictionIsA404Problem()
    {
        var member = await App.SignedInClientAsync(Roles.Reviewer);
        var response = await member.GetAsync("/api/v1/predictions/987654");

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
    }

    [Fact]
    public async Task ModelsListsTheActiveDemoBundleWithItsMetrics()
    {
        var body = (await App.Client().GetFromJsonAsync<ModelsResponse>("/api/v1/models", Json))!;

        var active = Assert.Single(body.Bundles, b => b.Active);
        Assert.Equal("refshapes-demo", active.Name);
        Assert.True(active.Trained);
        Assert.Contains("val", active.Metrics!.Keys);
        Assert.Equal("CPU", body.Provider);
    }

    [Fact]
    public async Task OpenApiDocumentDescribesTheApiAndTheBrowsablePageIsServed()
    {
        var client = App.Client();
        var document = await client.GetFromJsonAsync<JsonElement>("/openapi/v1.json");
        var paths = document.GetProperty("paths");

        Assert.True(paths.TryGetProperty("/api/v1/ground", out var ground));
        Assert.True(ground.TryGetProperty("post", out _));
        Assert.True(paths.TryGetProperty("/api/v1/predictions/{id}", out _));
        Assert.True(paths.TryGetProperty("/api/v1/models", out _));
        Assert.False(paths.TryGetProperty("/account/login", out _));

        var page = await client.GetStringAsync("/api/index.html");
        Assert.Contains("swagger", page, StringComparison.OrdinalIgnoreCase);
    }
}
