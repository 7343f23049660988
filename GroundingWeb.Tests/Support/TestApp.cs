using System.Net;
using System.Text.RegularExpressions;
using GroundingWeb.Features.Accounts;
using GroundingWeb.Data;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.DependencyInjection;

namespace GroundingWeb.Tests.Support;

/// <summary>
/// The real app in-process on the demo bundle (CPU), with its own data folder (database and images)
/// that is deleted afterwards. Settings can be overridden per instance.
/// </summary>
public sealed partial class TestApp : WebApplicationFactory<Program>
{
    private readonly TempFolder _data = new();
    private readonly Dictionary<string, string?> _settings;

    public TestApp(params (string Key, string? Value)[] settings)
    {
        _settings = new Dictionary<string, string?>
        {
            ["Inference:BundlePath"] = RepositoryPaths.DemoBundle,
            ["Inference:ExecutionProvider"] = "Cpu",
            ["Samples:Path"] = Path.GetDirectoryName(RepositoryPaths.Sample("chelsea.png")),
            ["Data:Folder"] = _data.Path,
            ["Models:Folder"] = Path.GetDirectoryName(RepositoryPaths.DemoBundle),
        };
        foreach (var (key, value) in settings)
        {
            _settings[key] = value;
        }
    }

    public string DataFolder => _data.Path;

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        foreach (var (key, value) in _settings)
        {
            builder.UseSetting(key, value);
        }
    }

    /// <summary>A client that keeps cookies and shows redirects instead of following them.</summary>
    public HttpClient Client() => CreateClient(new WebApplicationFactoryClientOptions { AllowAutoRedirect = false, HandleCookies = true });

    /// <summary>Creates an account directly (as an admin would) and returns a client signed in as it.</summary>
    public async Task<HttpClient> SignedInClientAsync(string role, string? email = null)
    {
        email ??= $"{role.ToLowerInvariant()}-{Guid.NewGuid():N}@example.com";
        const string password = "Passw0rdPassw0rd";
        using (var scope = Services.CreateScope())
        {
            var created = await scope.ServiceProvider.GetRequiredService<InvitationService>().CreateUserAsync(email, password, role);
            Assert.True(created.Succeeded, string.Join(" ", created.Errors));
        }
        var client = Client();
        var response = await PostFormAsync(client, "/account/login", "/account/login", new() { ["email"] = email, ["password"] = password });
        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        Assert.DoesNotContain("error", response.Headers.Location!.ToString());
        return client;
    }

    /// <summary>Posts a form the way a browser does: antiforgery token taken from the page that shows the form.</summary>
    public static async Task<HttpResponseMessage> PostFormAsync(HttpClient client, string formPage, string action, Dictionary<string, string> fields)
    {
        var html = await client.GetStringAsync(formPage);
        var token = AntiforgeryField().Match(html);
        Assert.True(token.Success, $"{formPage} renders no antiforgery token");
        fields["__RequestVerificationToken"] = WebUtility.HtmlDecode(token.Groups[1].Value);
        return await client.PostAsync(action, new FormUrlEncodedContent(fields));
    }

    public int PredictionCount()
    {
        using var scope = Services.CreateScope();
        return scope.ServiceProvider.GetRequiredService<AppDbContext>().Predictions.Count();
    }

    public int StoredImageFileCount() =>
        Directory.Exists(Path.Combine(DataFolder, "images")) ? Directory.GetFiles(Path.Combine(DataFolder, "images"), "*", SearchOption.AllDirectories).Length : 0;

    protected override void Dispose(bool disposing)
    {
        base.Dispose(disposing);
        if (disposing)
        {
            Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
            _data.Dispose();
        }
    }

    [GeneratedRegex("name=\"__RequestVerificationToken\" (?:type=\"hidden\" )?value=\"([^\"]+)\"")]
    private static partial Regex AntiforgeryField();
}
