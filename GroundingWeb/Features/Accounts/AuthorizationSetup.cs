using GroundingWeb.Data;
using Microsoft.AspNetCore.Identity;

namespace GroundingWeb.Features.Accounts;

/// <summary>Options of section <c>Demo</c>.</summary>
public sealed class DemoOptions
{
    public const string SectionName = "Demo";

    /// <summary>Whether visitors who are not signed in may use the Ground page and POST /api/v1/ground.</summary>
    public bool AllowAnonymous { get; set; } = true;
}

/// <summary>Named policies used by pages and endpoints.</summary>
public static class Policies
{
    /// <summary>Ground page and grounding API: anyone when Demo:AllowAnonymous, else signed-in users.</summary>
    public const string Ground = "Ground";

    /// <summary>Everything else a team member opens: any signed-in user.</summary>
    public const string Member = "Member";

    public const string Admin = "Admin";
}

public static class AuthorizationSetup
{
    public static void AddAccounts(this WebApplicationBuilder builder)
    {
        var demo = builder.Configuration.GetSection(DemoOptions.SectionName).Get<DemoOptions>() ?? new DemoOptions();
        builder.Services.Configure<DemoOptions>(builder.Configuration.GetSection(DemoOptions.SectionName));

        builder.Services.AddAuthentication(IdentityConstants.ApplicationScheme).AddIdentityCookies();
        builder.Services.ConfigureApplicationCookie(cookie =>
        {
            cookie.LoginPath = "/account/login";
            cookie.AccessDeniedPath = "/account/denied";
            cookie.Cookie.Name = "GroundingWeb.Auth";
            // API clients get status codes, not a redirect to an HTML login form.
            cookie.Events.OnRedirectToLogin = context => RedirectOrStatus(context, StatusCodes.Status401Unauthorized);
            cookie.Events.OnRedirectToAccessDenied = context => RedirectOrStatus(context, StatusCodes.Status403Forbidden);
        });
        builder.Services.AddIdentityCore<AppUser>(identity =>
            {
                identity.User.RequireUniqueEmail = true;
                identity.Password.RequiredLength = 10;
                identity.Password.RequireNonAlphanumeric = false;
                // A backstop against guessing spread over many addresses; one client is held far below it
                // by SignInThrottle, so knowing an e-mail address no longer lets anyone lock its account.
                identity.Lockout.MaxFailedAccessAttempts = 50;
                identity.Lockout.DefaultLockoutTimeSpan = TimeSpan.FromMinutes(15);
            })
            .AddRoles<IdentityRole>()
            .AddEntityFrameworkStores<AppDbContext>()
            .AddSignInManager()
            .AddDefaultTokenProviders();

        builder.Services.AddAuthorizationBuilder()
            .AddPolicy(Policies.Ground, policy => policy.RequireAssertion(context =>
                demo.AllowAnonymous || context.User.Identity?.IsAuthenticated == true))
            .AddPolicy(Policies.Member, policy => policy.RequireRole(Roles.All))
            .AddPolicy(Policies.Admin, policy => policy.RequireRole(Roles.Admin));
        builder.Services.AddCascadingAuthenticationState();
        builder.Services.AddSingleton<FirstRunSetup>();
        builder.Services.AddSingleton<AccountMessages>();
        builder.Services.AddSingleton<SignInThrottle>();
        builder.Services.AddScoped<InvitationService>();
        builder.Services.AddSingleton<UsersService>();
    }

    private static Task RedirectOrStatus(Microsoft.AspNetCore.Authentication.RedirectContext<Microsoft.AspNetCore.Authentication.Cookies.CookieAuthenticationOptions> context, int status)
    {
        if (context.Request.Path.StartsWithSegments("/api") || context.Request.Path.StartsWithSegments("/media")
            || context.HttpContext.GetEndpoint()?.Metadata.GetMetadata<AnswersWithStatusCodes>() is not null)
        {
            context.Response.StatusCode = status;
            return Task.CompletedTask;
        }
        context.Response.Redirect(context.RedirectUri);
        return Task.CompletedTask;
    }
}

/// <summary>
/// Marks endpoints that are fetched, not browsed (result downloads, dataset images): without a
/// sign-in they answer 401 (403 without the role) like /api and /media, not a redirect to a login page.
/// </summary>
public sealed class AnswersWithStatusCodes;
