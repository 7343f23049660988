using System.Diagnostics;
using GroundingWeb.Data;
using Microsoft.AspNetCore.Diagnostics;

namespace GroundingWeb.Operations;

/// <summary>
/// An error no endpoint handled, for a caller that is not a person's browser (the API, media, downloads,
/// health, or any request that does not accept HTML), becomes an RFC 7807 problem document: 503 or 507
/// for the database or data folder refusing, 500 otherwise, with the request id and never the exception's
/// text (it names server paths). Pages keep the /Error page. The exception itself goes to the log, by
/// the exception handler middleware.
/// </summary>
public static class ProblemErrors
{
    public static IApplicationBuilder UseProblemDocumentsForErrors(this IApplicationBuilder app) =>
        app.UseWhen(context => IsForAMachine(context.Request),
            branch => branch.UseExceptionHandler(new ExceptionHandlerOptions { ExceptionHandler = WriteProblemAsync }));

    internal static bool IsForAMachine(HttpRequest request)
    {
        var path = request.Path;
        if (path.StartsWithSegments("/api") || path.StartsWithSegments("/media") || path.StartsWithSegments("/openapi")
            || path.StartsWithSegments("/health") || path.StartsWithSegments("/evaluations", out var rest) && rest.Value?.Contains("/results.") == true)
        {
            return true;
        }
        var accept = request.Headers.Accept.ToString();
        return !accept.Contains("text/html", StringComparison.OrdinalIgnoreCase);
    }

    private static Task WriteProblemAsync(HttpContext context)
    {
        var error = context.Features.Get<IExceptionHandlerFeature>()?.Error;
        var requestId = Activity.Current?.Id ?? context.TraceIdentifier;
        if (error is BadHttpRequestException badRequest)
        {
            // The framework's own refusal (a missing antiforgery token, a malformed body): its status, not a 5xx.
            return Results.Problem(statusCode: badRequest.StatusCode, title: "Bad request", detail: badRequest.Message).ExecuteAsync(context);
        }
        var (status, title, detail) = error is not null && StorageException.IsStorageFailure(error)
            ? (StorageException.StatusCodeFor(error),
               StorageException.IsOutOfSpace(error) ? "Insufficient storage" : "Storage unavailable",
               error is StorageException ? error.Message : "The server's database or data folder refused the request; try again later.")
            : (StatusCodes.Status500InternalServerError, "Unexpected error", "The server could not complete this request.");
        return Results.Problem(statusCode: status, title: title, detail: $"{detail} Request id: {requestId}.",
            extensions: new Dictionary<string, object?> { ["requestId"] = requestId }).ExecuteAsync(context);
    }
}
