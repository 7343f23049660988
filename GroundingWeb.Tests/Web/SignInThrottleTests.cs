using System.Net;
using System.Net.Sockets;
using GroundingWeb.Data;
using GroundingWeb.Features.Accounts;
using GroundingWeb.Tests.Browser;
using GroundingWeb.Tests.Support;
using Microsoft.Extensions.DependencyInjection;

namespace GroundingWeb.Tests.Web;

/// <summary>
/// Issue 14 #12: ten wrong passwords from anyone locked the account they named, the admin's too, and
/// sign-in had no per-client throttle. Clients here are real loopback addresses (127.0.0.2, 127.0.0.3)
/// talking to Kestrel, so the server sees two different machines.
/// </summary>
public sealed class SignInThrottleTests
{
    private const string Password = "Passw0rdPassw0rd";

    private static HttpClient ClientFrom(string baseUrl, string source) => new(new SocketsHttpHandler
    {
        AllowAutoRedirect = false,
        UseCookies = true,
        ConnectCallback = async (context, cancellationToken) =>
        {
            var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
            socket.Bind(new IPEndPoint(IPAddress.Parse(source), 0));
            await socket.ConnectAsync(context.DnsEndPoint, cancellationToken);
            return new NetworkStream(socket, ownsSocket: true);
        },
    }) { BaseAddress = new Uri(baseUrl) };

    /// <summary>Posts the sign-in form and returns the text the page then shows (the sealed error, or where it went).</summary>
    private static async Task<string> SignInAsync(HttpClient client, string email, string password)
    {
        var response = await TestApp.PostFormAsync(client, "/account/login", "/account/login", new() { ["email"] = email, ["password"] = password });
        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        var location = response.Headers.Location!.ToString();
        return location.StartsWith("/account/login", StringComparison.Ordinal) ? WebUtility.HtmlDecode(await client.GetStringAsync(location)) : "signed in: " + location;
    }

    [Fact]
    public async Task WrongPasswordsFromOneClientThrottleThatClientAndNeverLockTheAccountForOthers()
    {
        using var app = new TestApp();
        var baseUrl = BrowserFixture.StartOnPort(app);
        using (var scope = app.Services.CreateScope())
        {
            var created = await scope.ServiceProvider.GetRequiredService<InvitationService>().CreateUserAsync("admin@example.com", Password, Roles.Admin);
            Assert.True(created.Succeeded);
        }
        using var attacker = ClientFrom(baseUrl, "127.0.0.2");
        using var owner = ClientFrom(baseUrl, "127.0.0.3");

        for (var attempt = 1; attempt <= 12; attempt++)
        {
            var page = await SignInAsync(attacker, "admin@example.com", "guess-" + attempt);
            Assert.Contains(attempt <= SignInThrottle.PerAccountFailures ? "Wrong e-mail or password." : "Too many failed attempts from your network.", page);
        }
        // Refused before the password is looked at: the right one does not get the attacker in either.
        Assert.Contains("Too many failed attempts", await SignInAsync(attacker, "admin@example.com", Password));

        // The owner, elsewhere, signs in: the account was not locked.
        Assert.StartsWith("signed in", await SignInAsync(owner, "admin@example.com", Password));

        // Across accounts the client has PerClientFailures in all: after them it may try no other address.
        var spent = SignInThrottle.PerAccountFailures;
        for (var account = 0; spent < SignInThrottle.PerClientFailures; account++)
        {
            for (var i = 0; i < SignInThrottle.PerAccountFailures && spent < SignInThrottle.PerClientFailures; i++, spent++)
            {
                Assert.Contains("Wrong e-mail or password.", await SignInAsync(attacker, $"nobody{account}@example.com", "guess"));
            }
        }
        Assert.Contains("Too many failed attempts", await SignInAsync(attacker, "someone-new@example.com", "guess"));
    }

    [Fact]
    public async Task SetupTokenGuessesAreThrottledPerClient()
    {
        using var app = new TestApp();
        var baseUrl = BrowserFixture.StartOnPort(app);
        using var guesser = ClientFrom(baseUrl, "127.0.0.4");
        var token = app.Services.GetRequiredService<FirstRunSetup>().Open();
        Dictionary<string, string> Form(string t) => new() { ["token"] = t, ["email"] = "first@example.com", ["password"] = Password, ["confirm"] = Password };

        for (var i = 0; i < SignInThrottle.PerClientFailures; i++)
        {
            var wrong = await TestApp.PostFormAsync(guesser, "/account/login", "/account/setup", Form(new string('0', token.Length)));
            Assert.Contains("error=", wrong.Headers.Location!.ToString());
        }
        // Now even the right token is refused from this client, and the link stays open for the operator.
        var refused = await TestApp.PostFormAsync(guesser, "/account/login", "/account/setup", Form(token));
        Assert.Contains("Too many failed attempts", WebUtility.HtmlDecode(await guesser.GetStringAsync(refused.Headers.Location!.ToString())));
        Assert.True(app.Services.GetRequiredService<FirstRunSetup>().IsOpen);
    }

    [Theory]
    [InlineData("203.0.113.7", "203.0.113.7")]
    [InlineData("::ffff:203.0.113.7", "203.0.113.7")]
    [InlineData("2001:db8:1:2:aaaa:bbbb:cccc:dddd", "2001:db8:1:2::/64")]
    public void ClientsCountByAddressAndIPv6ByItsSlash64(string address, string block) =>
        Assert.Equal(block, SignInThrottle.ClientBlock(IPAddress.Parse(address)));

    [Fact]
    public void AWindowEndsAndTheClientMayTryAgain()
    {
        var time = new SteppedTime();
        var throttle = new SignInThrottle(time);
        var client = IPAddress.Parse("198.51.100.1");
        for (var i = 0; i < SignInThrottle.PerAccountFailures; i++)
        {
            throttle.RecordFailure(client, "a@example.com");
        }
        Assert.NotNull(throttle.RetryAfter(client, "A@example.com "));
        Assert.Null(throttle.RetryAfter(client, "b@example.com"));
        time.Now += SignInThrottle.Window;
        Assert.Null(throttle.RetryAfter(client, "a@example.com"));
    }

    private sealed class SteppedTime : TimeProvider
    {
        public DateTimeOffset Now { get; set; } = new(2026, 12, 3, 12, 0, 0, TimeSpan.Zero);
        public override DateTimeOffset GetUtcNow() => Now;
    }
}
