using Microsoft.AspNetCore.Antiforgery;
using GroundingWeb.Data;
using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.Mvc;

namespace GroundingWeb.Features.Accounts;

/// <summary>
/// Form posts that set or clear the sign-in cookie. They are plain HTTP endpoints because an
/// interactive Blazor circuit cannot write cookies; the pages under /account render the forms.
/// </summary>
public static class AccountEndpoints
{
    public static void MapAccountEndpoints(this IEndpointRouteBuilder app)
    {
        // Browser form posts, not part of the JSON API.
        var account = app.MapGroup("/account").ExcludeFromDescription();

        account.MapPost("/login", async (
            [FromForm] string email, [FromForm] string password, [FromForm] string? returnUrl, HttpContext context,
            SignInManager<AppUser> signIn, SignInThrottle throttle, AccountMessages messages, ILogger<SignInThrottle> logger) =>
        {
            var client = context.Connection.RemoteIpAddress;
            string? message;
            if (throttle.TryBegin(client, email) is { } wait)
            {
                logger.LogWarning("Sign-in for {Email} from {Client} refused: too many failures.", email.Trim(), SignInThrottle.ClientBlock(client));
                message = SignInThrottle.Message(wait);
            }
            else
            {
                var result = await signIn.PasswordSignInAsync(email.Trim(), password, isPersistent: true, lockoutOnFailure: true);
                if (result.Succeeded)
                {
                    throttle.Succeeded(client, email);
                    return Results.LocalRedirect(SafeReturnUrl(returnUrl));
                }
                message = result.IsLockedOut ? "This account is locked for a while after too many failed sign-ins." : "Wrong e-mail or password.";
            }
            return Results.LocalRedirect($"/account/login?error={Uri.EscapeDataString(messages.Seal(message))}&returnUrl={Uri.EscapeDataString(SafeReturnUrl(returnUrl))}");
        });

        account.MapPost("/logout", async (HttpContext context, IAntiforgery antiforgery, SignInManager<AppUser> signIn) =>
        {
            // Minimal APIs check antiforgery only for endpoints that bind a form; this one binds nothing,
            // so another site could sign a user out with a bare POST. The layout's form carries the token.
            if (!await antiforgery.IsRequestValidAsync(context))
            {
                return Results.Problem(statusCode: StatusCodes.Status400BadRequest, title: "Invalid sign-out request",
                    detail: "The sign-out form is missing its antiforgery token or it has expired; reload the page and sign out again.");
            }
            await signIn.SignOutAsync();
            return Results.LocalRedirect("/");
        });

        account.MapPost("/setup", async (
            [FromForm] string token, [FromForm] string email, [FromForm] string password, [FromForm] string confirm,
            HttpContext context, FirstRunSetup setup, InvitationService accounts, UserManager<AppUser> users, SignInManager<AppUser> signIn,
            SignInThrottle throttle, AccountMessages messages) =>
        {
            if (throttle.RetryAfter(context.Connection.RemoteIpAddress, null) is { } wait)
            {
                return Results.LocalRedirect("/account/setup?error=" + Uri.EscapeDataString(messages.Seal(SignInThrottle.Message(wait))));
            }
            if (!setup.TryClaim(token))
            {
                throttle.RecordFailure(context.Connection.RemoteIpAddress, null);
                return Results.LocalRedirect("/account/setup?error=" + Uri.EscapeDataString(messages.Seal(
                    "This setup link is not valid (an admin exists already, or the app was restarted and printed a new one).")));
            }
            if (password != confirm)
            {
                setup.Restore(token);
                return Back(messages, "/account/setup", token, "The two passwords differ.");
            }
            var created = await accounts.CreateUserAsync(email, password, Roles.Admin);
            if (!created.Succeeded)
            {
                setup.Restore(token);
                return Back(messages, "/account/setup", token, string.Join(" ", created.Errors));
            }
            await signIn.SignInAsync((await users.FindByEmailAsync(email.Trim()))!, isPersistent: true);
            return Results.LocalRedirect("/admin/users");
        });

        account.MapPost("/accept", async (
            [FromForm] string token, [FromForm] string password, [FromForm] string confirm,
            HttpContext context, InvitationService accounts, UserManager<AppUser> users, SignInManager<AppUser> signIn,
            SignInThrottle throttle, AccountMessages messages) =>
        {
            if (throttle.RetryAfter(context.Connection.RemoteIpAddress, null) is { } wait)
            {
                return Back(messages, "/account/accept", token, SignInThrottle.Message(wait));
            }
            var invitation = await accounts.FindOpenInvitationAsync(token);
            if (invitation is null)
            {
                // A guessed or spent token: counted, so invitation links cannot be searched for.
                throttle.RecordFailure(context.Connection.RemoteIpAddress, null);
            }
            if (password != confirm)
            {
                return Back(messages, "/account/accept", token, "The two passwords differ.");
            }
            var accepted = await accounts.AcceptAsync(token, password);
            if (!accepted.Succeeded)
            {
                return Back(messages, "/account/accept", token, string.Join(" ", accepted.Errors));
            }
            await signIn.SignInAsync((await users.FindByEmailAsync(invitation!.Email))!, isPersistent: true);
            return Results.LocalRedirect("/history");
        });
    }

    private static IResult Back(AccountMessages messages, string page, string token, string error) =>
        Results.LocalRedirect($"{page}?token={Uri.EscapeDataString(token)}&error={Uri.EscapeDataString(messages.Seal(error))}");

    // Only paths on this site: a crafted returnUrl must not send a fresh sign-in elsewhere. Control
    // characters (a tab, CR or LF) are refused too: LocalRedirect rejects them by throwing, which lost
    // a correct sign-in to a 500.
    internal static string SafeReturnUrl(string? returnUrl) =>
        !string.IsNullOrEmpty(returnUrl) && returnUrl.StartsWith('/') && !returnUrl.StartsWith("//") && !returnUrl.StartsWith("/\\")
            && !returnUrl.Any(char.IsControl)
            ? returnUrl
            : "/";
}
