using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using GroundingWeb.Tests.Support;
using GroundingWeb.Tests.Web;

namespace GroundingWeb.Tests.Hostile;

/// <summary>
/// Issue 14's hostile-input suite, run by CI: every malformed image and bad prompt of the hostile run,
/// each answered with its status and a problem document, and nothing stored; the prompts a grounding
/// tool must take as text (markup, SQL, control and direction characters) stored exactly as sent.
/// </summary>
public sealed class HostileInputTests(ApiFixture fixture) : IClassFixture<ApiFixture>
{
    private TestApp App => fixture.App;

    public static TheoryData<string> ImageCases => new(HostileImages.All().Select(c => c.Name));

    private async Task AssertRefusedAsync(HttpContent content, int status, string what)
    {
        var before = (App.PredictionCount(), App.StoredImageFileCount());

        var response = await App.Client().PostAsync("/api/v1/ground", content);

        var body = await response.Content.ReadAsStringAsync();
        Assert.True((int)response.StatusCode == status, $"{what}: {(int)response.StatusCode} {body}");
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var problem = JsonDocument.Parse(body).RootElement;
        Assert.Equal(status, problem.GetProperty("status").GetInt32());
        Assert.False(string.IsNullOrWhiteSpace(problem.GetProperty("detail").GetString()), what);
        Assert.DoesNotContain("   at ", body); // no stack trace
        Assert.Equal(before, (App.PredictionCount(), App.StoredImageFileCount()));
    }

    [Theory]
    [MemberData(nameof(ImageCases))]
    public async Task AMalformedImageIsRefusedWithItsStatusAndNothingIsStored(string name)
    {
        var hostile = HostileImages.All().Single(c => c.Name == name);
        await AssertRefusedAsync(GroundApiTests.Form(hostile.Bytes, "the cat"), hostile.Status, name);
    }

    [Theory]
    [InlineData("png")]
    [InlineData("jpeg")]
    [InlineData("gif")]
    [InlineData("bmp")]
    [InlineData("webp")]
    [InlineData("tiff")]
    public async Task TheWholeImageOfEachFormatIsGrounded(string format)
    {
        var response = await App.Client().PostAsync("/api/v1/ground", GroundApiTests.Form(HostileImages.Valid[format], "the cat"));
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    public static TheoryData<string> PromptCases => new(BadPrompts.Keys);

    private static readonly Dictionary<string, Func<MultipartFormDataContent>> BadPrompts = new()
    {
        ["no prompt field"] = () => GroundApiTests.Form(HostileImages.Valid["png"]),
        ["empty prompt"] = () => GroundApiTests.Form(HostileImages.Valid["png"], ""),
        ["whitespace only"] = () => GroundApiTests.Form(HostileImages.Valid["png"], " \t\r\n "),
        ["one empty among good ones"] = () => GroundApiTests.Form(HostileImages.Valid["png"], "the cat", ""),
        ["513 characters"] = () => GroundApiTests.Form(HostileImages.Valid["png"], new string('a', 513)),
        ["513 emoji"] = () => GroundApiTests.Form(HostileImages.Valid["png"], string.Concat(Enumerable.Repeat("\U0001F408", 513))),
        ["17 prompts"] = () => GroundApiTests.Form(HostileImages.Valid["png"], Enumerable.Range(0, 17).Select(i => $"shape {i}").ToArray()),
        ["a 70 KB prompt field"] = () => GroundApiTests.Form(HostileImages.Valid["png"], new string('x', 70_000)),
        ["not UTF-8"] = () => RawPrompt([0x74, 0x68, 0xE9, 0x20, 0xFF, 0xFE, 0x63]),
        ["UTF-16 with its byte order mark"] = () => RawPrompt([0xFF, 0xFE, .. Encoding.Unicode.GetBytes("the cat")]),
        ["overlong UTF-8 slash"] = () => RawPrompt([0xC0, 0xAF]),
        ["lone surrogate as UTF-8"] = () => RawPrompt([0xED, 0xA0, 0x80]),
    };

    private static MultipartFormDataContent RawPrompt(byte[] bytes)
    {
        var form = GroundApiTests.Form(HostileImages.Valid["png"]);
        var field = new ByteArrayContent(bytes);
        field.Headers.ContentType = new MediaTypeHeaderValue("text/plain");
        form.Add(field, "prompt");
        return form;
    }

    [Theory]
    [MemberData(nameof(PromptCases))]
    public async Task ABadPromptIsRefusedWith400AndNothingIsStored(string name) =>
        await AssertRefusedAsync(BadPrompts[name](), 400, name);

    [Theory]
    [InlineData("<script>alert(1)</script>")]
    [InlineData("\"><img src=x onerror=alert(1)>")]
    [InlineData("'; DROP TABLE Predictions; --")]
    [InlineData("{{7*7}} ${7*7} @(7*7)")]
    [InlineData("the cat\u0000 with a NUL")]
    [InlineData("\u202Etac eht")]
    [InlineData("the\u200Bcat\uFEFF")]
    [InlineData("猫 🐈 القط")]
    [InlineData("512 characters: aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa")]
    public async Task APromptThatIsOnlyTextIsGroundedAndStoredExactlyAsSent(string prompt)
    {
        var response = await App.Client().PostAsync("/api/v1/ground", GroundApiTests.Form(HostileImages.Valid["png"], prompt));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var body = await response.Content.ReadFromJsonAsync<JsonElement>();
        var stored = body.GetProperty("predictions")[0];
        Assert.Equal(prompt, stored.GetProperty("prompt").GetString());
        var member = await App.SignedInClientAsync(GroundingWeb.Data.Roles.Reviewer);
        var readBack = await member.GetFromJsonAsync<JsonElement>($"/api/v1/predictions/{stored.GetProperty("id").GetInt64()}");
        Assert.Equal(prompt, readBack.GetProperty("prompt").GetString());
        // Shown to reviewers as text, never as markup.
        var history = await member.GetStringAsync("/history");
        Assert.DoesNotContain("<script>alert(1)</script>", history);
        Assert.DoesNotContain("<img src=x", history);
    }
}
