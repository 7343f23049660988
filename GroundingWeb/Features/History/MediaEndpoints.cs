using GroundingWeb.Components;
using GroundingWeb.Features.Accounts;
using GroundingWeb.Data;
using GroundingWeb.Inference.Hosting;
using GroundingWeb.Inference.Imaging;
using Microsoft.EntityFrameworkCore;

namespace GroundingWeb.Features.History;

/// <summary>
/// Stored images for the History pages, for signed-in users only, always re-encoded from the decoded
/// pixels (see the endpoint), never the uploaded file itself.
/// </summary>
public static class MediaEndpoints
{
    public static void MapMediaEndpoints(this IEndpointRouteBuilder app)
    {
        var media = app.MapGroup("/media").RequireAuthorization(Policies.Member).ExcludeFromDescription();

        media.MapGet("/images/{sha256:regex(^[0-9a-f]{{64}}$)}", async (string sha256, AppDbContext db, ImageStore store, GroundingEngine engine, HttpResponse response) =>
        {
            var image = await db.Images.AsNoTracking().FirstOrDefaultAsync(i => i.Sha256 == sha256);
            if (image is null)
            {
                return Results.NotFound();
            }
            // Never the uploaded bytes: a PNG+zip or PNG+HTML polyglot would travel on. The oriented
            // pixels are re-encoded (JPEG stays JPEG, all else PNG), which also drops EXIF (GPS and all).
            var path = store.PathOf(image.Sha256, image.Extension);
            if (!File.Exists(path))
            {
                return Results.NotFound();
            }
            RgbImage decoded;
            try
            {
                decoded = ImageDecoder.Decode(await File.ReadAllBytesAsync(path), engine.ImageLimits);
            }
            catch (ImageDecodeException)
            {
                // Stored before a check that now refuses it (a truncated GIF, say), or over lowered limits.
                return Results.NotFound();
            }
            var jpeg = image.Extension is "jpg" or "jpeg";
            // Addressed by its hash, so the content never changes: browsers keep it and the re-encoding is paid once.
            response.Headers.CacheControl = "private, max-age=31536000, immutable";
            return jpeg
                ? Results.File(ImagePreview.Jpeg(decoded, maxSide: int.MaxValue), "image/jpeg")
                : Results.File(ImagePreview.Png(decoded), "image/png");
        });

        media.MapGet("/thumbs/{sha256:regex(^[0-9a-f]{{64}}$)}", (string sha256, ImageStore store) =>
        {
            var path = store.ThumbnailPathOf(sha256);
            return File.Exists(path) ? Results.File(path, "image/jpeg") : Results.NotFound();
        });
    }
}
