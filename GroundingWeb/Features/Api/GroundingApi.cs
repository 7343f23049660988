using System.Security.Claims;
using System.Threading.RateLimiting;
using GroundingWeb.Features.Accounts;
using GroundingWeb.Data;
using GroundingWeb.Inference.Bundles;
using GroundingWeb.Inference.Hosting;
using GroundingWeb.Inference.Imaging;
using GroundingWeb.Inference.Pipeline;
using GroundingWeb.Components;
using GroundingWeb.Features.Ground;
using GroundingWeb.Features.Models;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace GroundingWeb.Features.Api;

/// <summary>
/// The JSON API under /api/v1. It grounds through the same <see cref="GroundingService"/> as the UI,
/// so limits, storage and metrics are the same; every refusal is an RFC 7807 problem document.
/// </summary>
public static class GroundingApi
{
    public static void AddGroundingApi(this WebApplicationBuilder builder)
    {
        builder.Services.AddProblemDetails();
        builder.Services.AddOpenApi("v1", options => options.AddDocumentTransformer((document, _, _) =>
        {
            document.Info.Title = "GroundingWeb API";
            document.Info.Description = "Ground phrases in images: POST an image and prompts, get one box per prompt.";
            return Task.CompletedTask;
        }));
        builder.Services.AddOptions<RateLimitOptions>().BindConfiguration(RateLimitOptions.SectionName).ValidateDataAnnotations().ValidateOnStart();
        builder.Services.AddSingleton<ClientRateLimiter>();
        builder.Services.AddRateLimiter(limiter =>
        {
            limiter.RejectionStatusCode = StatusCodes.Status429TooManyRequests;
            limiter.AddPolicy(RateLimitOptions.GroundPolicy, context =>
            {
                var perMinute = context.RequestServices.GetRequiredService<IOptions<RateLimitOptions>>().Value.GroundRequestsPerMinute;
                var client = ClientRateLimiter.ClientKey(context.User, context.Connection.RemoteIpAddress?.ToString());
                return RateLimitPartition.GetFixedWindowLimiter(client, _ => new FixedWindowRateLimiterOptions
                {
                    PermitLimit = perMinute, Window = TimeSpan.FromMinutes(1), QueueLimit = 0,
                });
            });
            limiter.OnRejected = async (context, cancellationToken) =>
            {
                if (context.Lease.TryGetMetadata(MetadataName.RetryAfter, out var retryAfter))
                {
                    context.HttpContext.Response.Headers.RetryAfter = ((int)Math.Ceiling(retryAfter.TotalSeconds)).ToString();
                }
                await Results.Problem(statusCode: StatusCodes.Status429TooManyRequests, title: "Too many requests",
                    detail: "This client has used its grounding requests for this minute; try again shortly.").ExecuteAsync(context.HttpContext);
            };
        });
    }

    public static void MapGroundingApi(this IEndpointRouteBuilder app)
    {
        app.MapOpenApi("/openapi/{documentName}.json");
        var api = app.MapGroup("/api/v1").WithTags("Grounding");

        api.MapPost("/ground", Ground)
            .RequireAuthorization(Policies.Ground)
            .RequireRateLimiting(RateLimitOptions.GroundPolicy)
            // API clients send no antiforgery token; the endpoint only creates predictions for its caller.
            .DisableAntiforgery()
            .Accepts<IFormFile>("multipart/form-data")
            .WithSummary("Ground one or more prompts in an image")
            .WithDescription("multipart/form-data with an `image` file and one or more `prompt` fields. Returns one box per prompt, in prompt order.")
            .ProducesProblem(StatusCodes.Status400BadRequest)
            .ProducesProblem(StatusCodes.Status413PayloadTooLarge)
            .ProducesProblem(StatusCodes.Status415UnsupportedMediaType)
            .ProducesProblem(StatusCodes.Status429TooManyRequests)
            .ProducesProblem(StatusCodes.Status503ServiceUnavailable)
            .ProducesProblem(StatusCodes.Status507InsufficientStorage);

        api.MapGet("/predictions/{id:long}", GetPrediction)
            .RequireAuthorization(Policies.Member)
            .WithSummary("A stored prediction");

        api.MapGet("/models", GetModels)
            .RequireAuthorization(Policies.Ground)
            .WithSummary("The bundles found, the active one and the execution provider");
    }

    private static async Task<Results<Ok<GroundResponse>, ProblemHttpResult>> Ground(
        HttpRequest request, HttpResponse response, GroundingService grounding, GroundingEngine engine, ClaimsPrincipal user, CancellationToken cancellationToken)
    {
        if (!request.HasFormContentType || !request.ContentType!.StartsWith("multipart/form-data", StringComparison.OrdinalIgnoreCase))
        {
            return Problem(StatusCodes.Status415UnsupportedMediaType, "Not a form",
                "Send multipart/form-data with an `image` file and one or more `prompt` fields.");
        }
        var limit = (long)engine.Options.MaxImageMegabytes * 1024 * 1024;
        if (request.ContentLength > limit + 1024 * 1024)
        {
            return ImageTooLarge(request.ContentLength.Value, engine.Options.MaxImageMegabytes);
        }
        GroundForm form;
        try
        {
            form = await GroundFormReader.ReadAsync(request, limit, cancellationToken);
        }
        catch (Exception ex) when (ex is InvalidDataException or IOException or BadHttpRequestException)
        {
            return Problem(StatusCodes.Status400BadRequest, "Unreadable form", ex.Message);
        }
        if (form.ImageBytes > limit)
        {
            return ImageTooLarge(form.ImageBytes, engine.Options.MaxImageMegabytes);
        }
        if (form.Image is not { Length: > 0 } image)
        {
            return Problem(StatusCodes.Status400BadRequest, "No image", "The form has no `image` file, or it is empty.");
        }
        var prompts = form.Prompts;
        if (prompts.Count == 0)
        {
            return Problem(StatusCodes.Status400BadRequest, "No prompt", "Add at least one `prompt` field.");
        }

        try
        {
            var outcome = await grounding.GroundAsync(image, prompts, user, "api", cancellationToken);
            return TypedResults.Ok(ToResponse(outcome));
        }
        catch (GroundingInputException ex)
        {
            return Problem(StatusCodes.Status400BadRequest, "Invalid prompts", ex.Message);
        }
        catch (ImageDecodeException ex)
        {
            return Problem(ex.Problem switch
            {
                ImageProblem.TooLarge => StatusCodes.Status413PayloadTooLarge,
                ImageProblem.Unsupported => StatusCodes.Status415UnsupportedMediaType,
                _ => StatusCodes.Status400BadRequest,
            },
                "Unusable image", ex.Message);
        }
        catch (BundleException ex)
        {
            return Problem(StatusCodes.Status503ServiceUnavailable, "Model unavailable", ex.Message);
        }
        catch (ServerBusyException ex)
        {
            response.Headers.RetryAfter = ex.RetryAfterSeconds.ToString(System.Globalization.CultureInfo.InvariantCulture);
            return Problem(StatusCodes.Status503ServiceUnavailable, "Server busy", ex.Message);
        }
        catch (StorageException ex)
        {
            var status = StorageException.StatusCodeFor(ex);
            return Problem(status, status == StatusCodes.Status507InsufficientStorage ? "Insufficient storage" : "Storage unavailable", ex.Message);
        }
    }

    private static async Task<Results<Ok<PredictionResponse>, ProblemHttpResult>> GetPrediction(
        long id, IDbContextFactory<AppDbContext> contexts, CancellationToken cancellationToken)
    {
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        var p = await db.Predictions.AsNoTracking().Include(x => x.Image).FirstOrDefaultAsync(x => x.Id == id, cancellationToken);
        if (p is null)
        {
            return Problem(StatusCodes.Status404NotFound, "No such prediction", $"There is no prediction {id}.");
        }
        return TypedResults.Ok(new PredictionResponse(
            p.Id, p.Prompt, [p.X1, p.Y1, p.X2, p.Y2], new ApiImage(p.Image!.Width, p.Image.Height, p.ImageSha256),
            new ApiModel(p.ModelName, p.ModelVersion, p.ModelTrained, p.PresenceThreshold), p.Provider, p.TotalMs, p.UserName, p.CreatedAt, p.ReviewState.ToString(), p.Presence, p.Found));
    }

    private static Ok<ModelsResponse> GetModels(BundleCatalog catalog, GroundingEngine engine, ClaimsPrincipal user)
    {
        // Server paths and load errors are for the team; anonymous demo visitors see names and metrics.
        var member = user.IsInRole(Roles.Admin) || user.IsInRole(Roles.Reviewer);
        string provider;
        try
        {
            using var pipeline = engine.Acquire();
            provider = pipeline.Provider;
        }
        catch (Exception ex) when (ex is BundleException or InvalidOperationException or IOException)
        {
            provider = "unavailable";
        }
        var bundles = catalog.List().Where(b => member || b.Manifest is not null).Select(b => new ModelResponse(
            member ? b.Path : null, b.Path == engine.ActiveBundlePath, b.Manifest?.Name, b.Manifest?.Version, b.Manifest?.Trained, b.Manifest?.Description,
            member ? b.Error : null, b.Manifest?.Provenance?.Metrics)).ToList();
        return TypedResults.Ok(new ModelsResponse(provider, engine.IsWarm, bundles));
    }

    private static GroundResponse ToResponse(GroundingOutcome outcome)
    {
        var r = outcome.Result;
        var predictions = r.Predictions.Select((p, i) => new ApiPrediction(
            outcome.PredictionIds[i], p.Prompt,
            [p.PixelBox.X1, p.PixelBox.Y1, p.PixelBox.X2, p.PixelBox.Y2],
            [p.NormalizedBox.X1, p.NormalizedBox.Y1, p.NormalizedBox.X2, p.NormalizedBox.Y2], p.Presence, p.Found)).ToList();
        var t = r.Timings;
        return new GroundResponse(predictions, new ApiImage(r.ImageWidth, r.ImageHeight, r.ImageSha256),
            new ApiModel(outcome.ModelName, outcome.ModelVersion, outcome.ModelTrained, outcome.PresenceThreshold), r.Provider, r.ImageTokensCached,
            new ApiTimings(t.TotalMs, t.DecodeMs, t.PreprocessMs, t.VisionMs, t.TokenizeMs, t.TextMs, t.FusionMs, t.ImageFusionMs));
    }

    private static ProblemHttpResult ImageTooLarge(long bytes, int limitMegabytes) =>
        Problem(StatusCodes.Status413PayloadTooLarge, "Image too large", $"The image is {bytes / 1048576.0:F1} MB; the limit is {limitMegabytes} MB.");

    private static ProblemHttpResult Problem(int status, string title, string detail) =>
        TypedResults.Problem(statusCode: status, title: title, detail: detail);
}
