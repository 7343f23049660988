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

    /// <summary>Every Content-Security-Policy violation any page of the run reported (what the policy would break).</summary>
    public System.Collections.Concurrent.ConcurrentQueue<string> CspViolations { get; } = new();

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
        var page = await context.NewPageAsync();
        page.Console += (_, message) =>
        {
            if (message.Text.Contains("Content Security Policy", StringComparison.OrdinalIgnoreCase))
            {
                CspViolations.Enqueue($"{page.Url}: {message.Text}");
            }
        };
        return page;
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

    /// <summary>
    /// Waits until <paramref name="expression"/> is true in the page. Playwright's WaitForFunctionAsync
    /// compiles the expression with <c>new Function</c> inside the page, which the app's
    /// Content-Security-Policy (script-src 'self', no eval) rightly refuses; an evaluation through the
    /// DevTools protocol is not the page's script, so the tests run under the policy users get.
    /// </summary>
    public static async Task WaitUntilAsync(IPage page, string expression, int timeoutMilliseconds = 30_000)
    {
        var clock = System.Diagnostics.Stopwatch.StartNew();
        while (!await page.EvaluateAsync<bool>($"() => Boolean({expression})"))
        {
            if (clock.ElapsedMilliseconds > timeoutMilliseconds)
            {
                throw new TimeoutException($"{expression} was still false after {timeoutMilliseconds} ms on {page.Url}");
            }
            await Task.Delay(100);
        }
    }

    public static Task ScreenshotAsync(IPage page, string name) =>
        page.ScreenshotAsync(new PageScreenshotOptions { Path = Path.Combine(ScreenshotFolder, name + ".png"), FullPage = true });

    public async ValueTask DisposeAsync()
    {
        foreach (var violation in CspViolations)
        {
            Console.Error.WriteLine("CSP violation: " + violation);
        }
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
