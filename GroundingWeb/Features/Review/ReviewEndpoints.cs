using GroundingWeb.Features.Accounts;

namespace GroundingWeb.Features.Review;

public static class ReviewEndpoints
{
    public static void MapReviewEndpoints(this IEndpointRouteBuilder app)
    {
        app.MapGet("/review/export.zip", async (ReviewExport export, HttpContext context, CancellationToken cancellationToken) =>
        {
            // Built in a temporary file first: a zip cannot be written to the response as it streams,
            // and a failure half-way must not leave the client with half an archive.
            var temporary = new FileStream(Path.GetTempFileName(), FileMode.Create, FileAccess.ReadWrite, FileShare.None, 81920, FileOptions.DeleteOnClose);
            try
            {
                await export.WriteZipAsync(temporary, cancellationToken);
            }
            catch
            {
                await temporary.DisposeAsync();
                throw;
            }
            temporary.Position = 0;
            return Results.File(temporary, "application/zip", $"groundingweb-reviewed-{DateTime.UtcNow:yyyyMMdd-HHmmss}.zip");
        }).RequireAuthorization(Policies.Member).ExcludeFromDescription();
    }
}
