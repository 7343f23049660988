namespace GroundingWeb.Operations;

/// <summary>
/// Headers every response carries, set as every response starts so that errors, 401s and files get
/// them too: <c>X-Content-Type-Options: nosniff</c> (a browser never second-guesses a content type,
/// so an uploaded PNG+zip or PNG+HTML polyglot stays an image), a referrer policy that sends no
/// path to other sites, and for the API and stored media a policy that forbids scripts, framing and
/// everything else outright (sandbox), since neither ever needs a browser to run anything. Pages
/// get <see cref="PagePolicy"/>.
/// </summary>
public static class SecurityHeaders
{
    public const string LockedDownPolicy = "default-src 'none'; frame-ancestors 'none'; sandbox";

    /// <summary>
    /// Pages: only this origin's scripts (no inline script, no eval), so injected markup cannot run; the
    /// circuit's WebSocket on this origin; images from here or data:/blob: (previews); inline styles,
    /// which MudBlazor's components set; no plugins, no framing, forms post only here.
    /// </summary>
    public const string PagePolicy =
        "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data: blob:; font-src 'self' data:; " +
        "connect-src 'self'; object-src 'none'; base-uri 'self'; form-action 'self'; frame-ancestors 'none'";

    public static IApplicationBuilder UseSecurityHeaders(this IApplicationBuilder app) => app.Use(async (context, next) =>
    {
        // Set as the response starts, not now: the exception handler clears the headers of a failed
        // response before it writes the problem document, and that must carry them too.
        context.Response.OnStarting(() =>
        {
            AddHeaders(context);
            return Task.CompletedTask;
        });
        await next(context);
    });

    private static void AddHeaders(HttpContext context)
    {
        var headers = context.Response.Headers;
        headers.XContentTypeOptions = "nosniff";
        headers["Referrer-Policy"] = "strict-origin-when-cross-origin";
        var path = context.Request.Path;
        if (path.StartsWithSegments("/api/v1") || path.StartsWithSegments("/media") || path.StartsWithSegments("/openapi"))
        {
            headers.ContentSecurityPolicy = LockedDownPolicy;
            headers["Cross-Origin-Resource-Policy"] = "same-origin";
        }
        else if (context.Response.ContentType?.StartsWith("text/html", StringComparison.OrdinalIgnoreCase) == true
                 && !path.StartsWithSegments("/api"))
        {
            // Replaces Blazor's own frame-ancestors 'self' header with the whole policy. The API page
            // (Swagger UI, its own inline bootstrap) keeps the framework's default.
            headers.ContentSecurityPolicy = PagePolicy;
        }
    }
}
