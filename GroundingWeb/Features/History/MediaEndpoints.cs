using GroundingWeb.Components;
using GroundingWeb.Features.Accounts;
using GroundingWeb.Data;
using GroundingWeb.Inference.Hosting;
using GroundingWeb.Inference.Imaging;
using Microsoft.EntityFrameworkCore;

namespace GroundingWeb.Features.History;

/// <summary>
/// Stored images for the History pages, for signed-in users only. Browsers get the original when
/// they can show it as it is, else a JPEG of the oriented pixels (TIFF, or EXIF-rotated photos).
/// </summary>
public static class MediaEndpoints
{
    private static readonly Dictionary<string, string> WebFormats = new()
    {
        ["png"] = "image/png", ["jpg"] = "image/jpeg", ["jpeg"] = "image/jpeg", ["gif"] = "image/gif", ["webp"] = "image/webp", ["bmp"] = "image/bmp",
    };

    public static void MapMediaEndpoints(this IEndpointRouteBuilder app)
    {
        var media = app.MapGroup("/media").RequireAuthorization(Policies.Member).ExcludeFromDescription();

        media.MapGet("/images/{sha256:regex(^[0-9a-f]{{64}}$)}", async (string sha256, AppDbContext db, ImageStore store, GroundingEngine engine) =>
        {
            var image = await db.Images.AsNoTracking().FirstOrDefaultAsync(i => i.Sha256 == sha256);
            if (image is null)
            {
                return Results.NotFound();
            }
            var path = store.PathOf(image.Sha256, image.Extension);
            var bytes = await File.ReadAllBytesAsync(path);
            if (WebFormats.TryGetValue(image.Extension, out var mime) && !ImagePreview.NeedsOrientation(bytes))
            {
                return Results.File(bytes, mime, enableRangeProcessing: false);
            }
            var decoded = ImageDecoder.Decode(bytes, engine.ImageLimits);
            return Results.File(ImagePreview.Jpeg(decoded, maxSide: int.MaxValue), "image/jpeg");
        });

        media.MapGet("/thumbs/{sha256:regex(^[0-9a-f]{{64}}$)}", (string sha256, ImageStore store) =>
        {
            var path = store.ThumbnailPathOf(sha256);
            return File.Exists(path) ? Results.File(path, "image/jpeg") : Results.NotFound();
        });
    }
}
