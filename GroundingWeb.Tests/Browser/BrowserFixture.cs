using GroundingWeb.Tests.Support;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Playwright;

namespace GroundingWeb.Tests.Browser;

/// <summary>
/// The app on a real Kestrel port and Debian's Chromium driven by Playwright (never a downloaded
/// browser). Under CI=true a missing Chromium fails the tests; elsewhere they report as skipped.
/// </summary>
public sealed class BrowserFixture : IAsyncLifetime
{
    private IPlaywright? _playwright;

    public TestApp App { get; } = new();
    public IBrowser? Browser { get; private set; }
    public string BaseUrl { get; private set; } = "";

    /// <summary>Where each step's screenshot goes: artifacts/screenshots at the repository root.</summary>
    public static string ScreenshotFolder { get; } = Path.Combine(
        Path.GetDirectoryName(Path.GetDirectoryName(RepositoryPaths.DemoBundle))!, "artifacts", "screenshots");

    public async ValueTask InitializeAsync()
    {
        // Without Chromium every test of the collection skips, or fails under CI=true (Requires.Chromium).
        if (Requires.ChromiumMissing)
        {
            return;
        }
        BaseUrl = StartOnPort(App);
        Directory.CreateDirectory(ScreenshotFolder);

        _playwright = await Playwright.CreateAsync();
        Browser = await _playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
        {
            ExecutablePath = Requires.ChromiumPath,
            Headless = true,
            Args = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update"],
        });
    }

    /// <summary>A fresh browser profile (no cookies) with a fixed window size.</summary>
    public Task<IPage> NewPageAsync(int width = 1280, int height = 900) => NewPageAsync(BaseUrl, width, height);

    /// <summary>A fresh browser profile on another app than the fixture's (one started on its own port).</summary>
    public async Task<IPage> NewPageAsync(string baseUrl, int width = 1280, int height = 900)
    {
        var context = await Browser!.NewContextAsync(new BrowserNewContextOptions
        {
            BaseURL = baseUrl, ViewportSize = new ViewportSize { Width = width, Height = height },
        });
        context.SetDefaultTimeout(30_000);
        return await context.NewPageAsync();
    }

    /// <summary>Starts <paramref name="app"/> on a free loopback port of Kestrel and returns its address.</summary>
    public static string StartOnPort(TestApp app)
    {
        app.UseKestrel(0);
        app.StartServer();
        return app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First().TrimEnd('/');
    }

    /// <summary>Signs in through the login form, the way a person does, and lands on <paramref name="returnUrl"/>.</summary>
    public static async Task SignInAsync(IPage page, string email, string password, string returnUrl)
    {
        await page.GotoAsync("/account/login?returnUrl=" + Uri.EscapeDataString(returnUrl));
        await page.FillAsync("#email", email);
        await page.FillAsync("#password", password);
        await page.ClickAsync("#login-button");
    }

    public static Task ScreenshotAsync(IPage page, string name) =>
        page.ScreenshotAsync(new PageScreenshotOptions { Path = Path.Combine(ScreenshotFolder, name + ".png"), FullPage = true });

    public async ValueTask DisposeAsync()
    {
        if (Browser is not null)
        {
            await Browser.DisposeAsync();
        }
        _playwright?.Dispose();
        App.Dispose();
    }
}

/// <summary>
/// Runs on its own, after the parallel tests: on two cores, ONNX Runtime and TorchSharp tests beside it
/// starved the browser past Playwright's 30-second waits.
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class BrowserCollection : ICollectionFixture<BrowserFixture>
{
    public const string Name = "browser";
}
