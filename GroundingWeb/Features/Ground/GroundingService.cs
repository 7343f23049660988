using System.Security.Claims;
using GroundingWeb.Data;
using GroundingWeb.Inference.Bundles;
using GroundingWeb.Inference.Hosting;
using GroundingWeb.Inference.Imaging;
using GroundingWeb.Inference.Pipeline;
using Microsoft.EntityFrameworkCore;
using SixLabors.ImageSharp;

namespace GroundingWeb.Features.Ground;

/// <summary>What one grounding request produced: the engine's answer and the stored prediction ids, in prompt order.</summary>
/// <param name="PresenceThreshold">The bundle's presence threshold, null for a bundle without a presence output.</param>
/// <param name="TrainedOn">What the bundle's head was trained on (its provenance), for the page's one line about the model.</param>
public sealed record GroundingOutcome(GroundingResult Result, IReadOnlyList<long> PredictionIds, string ModelName, string ModelVersion, bool ModelTrained,
    double? PresenceThreshold = null, string? TrainedOn = null);

/// <summary>
/// The one way the UI and the API ground prompts: runs the shared pipeline, then stores the image
/// (by content hash) and one prediction row per prompt. The image file is complete on disk before
/// the rows commit; if the commit fails, a file that nothing refers to is removed again.
/// </summary>
public sealed class GroundingService(
    GroundingEngine engine, IDbContextFactory<AppDbContext> contexts, ImageStore store, GroundingTelemetry telemetry, InferenceAdmission admission,
    TimeProvider clock, ILogger<GroundingService> logger)
{
    /// <exception cref="GroundingInputException">Prompts that are empty, too long or too many.</exception>
    /// <exception cref="ImageDecodeException">Images that are corrupt, unsupported or too large.</exception>
    /// <exception cref="StorageException">The boxes were computed but the image or the rows could not be stored.</exception>
    /// <exception cref="ServerBusyException">The inference queue is full or its wait ran out; nothing ran and nothing was stored.</exception>
    public async Task<GroundingOutcome> GroundAsync(
        byte[] image, IReadOnlyList<string> prompts, ClaimsPrincipal user, string source, CancellationToken cancellationToken = default)
    {
        // A lease on the active bundle: a switch of bundles during the call closes the old one only after it.
        using var pipeline = engine.Acquire();
        GroundingResult result;
        // Only the models are admission-controlled; storing runs after the slot is given back.
        using (await admission.EnterAsync(cancellationToken))
        {
            // Inference is CPU-bound and synchronous: keep the caller's thread (a circuit or a request) free.
            result = await Task.Run(() => pipeline.Ground(image, prompts, cancellationToken), cancellationToken);
        }
        telemetry.Record(result, source);

        var manifest = pipeline.Manifest;
        var ids = await StoreAsync(image, result, manifest, user, cancellationToken);
        return new GroundingOutcome(result, ids, manifest.Name, manifest.Version, manifest.Trained, manifest.Fusion.Presence?.Threshold, manifest.Provenance?.TrainedOn);
    }

    private async Task<IReadOnlyList<long>> StoreAsync(
        byte[] image, GroundingResult result, BundleManifest manifest, ClaimsPrincipal user, CancellationToken cancellationToken)
    {
        var now = clock.GetUtcNow();
        var userId = user.Identity?.IsAuthenticated == true ? user.FindFirstValue(ClaimTypes.NameIdentifier) : null;
        var userName = userId is null ? null : user.Identity!.Name;
        var rows = result.Predictions.Select(p => new PredictionRecord
        {
            ImageSha256 = result.ImageSha256,
            Prompt = p.Prompt,
            X1 = p.PixelBox.X1, Y1 = p.PixelBox.Y1, X2 = p.PixelBox.X2, Y2 = p.PixelBox.Y2,
            Presence = p.Presence, Found = p.Found,
            PresenceThreshold = p.Presence is null ? null : manifest.Fusion.Presence?.Threshold,
            ModelName = manifest.Name,
            ModelVersion = manifest.Version,
            ModelTrained = manifest.Trained,
            Provider = result.Provider,
            TotalMs = result.Timings.TotalMs,
            VisionMs = result.Timings.VisionMs,
            TextMs = result.Timings.TextMs,
            FusionMs = result.Timings.FusionMs,
            ImageTokensCached = result.ImageTokensCached,
            UserId = userId,
            UserName = userName,
            CreatedAt = now,
        }).ToList();

        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        await store.Gate.WaitAsync(cancellationToken);
        var wroteFiles = false;
        string? extension = null;
        try
        {
            var known = await db.Images.FindAsync([result.ImageSha256], cancellationToken);
            if (known is null)
            {
                extension = Image.DetectFormat(image)?.FileExtensions.FirstOrDefault() ?? "bin";
                var decoded = ImageDecoder.Decode(image, engine.ImageLimits);
                wroteFiles = store.Save(result.ImageSha256, extension, image, decoded);
                db.Images.Add(new StoredImage
                {
                    Sha256 = result.ImageSha256, Extension = extension, Width = result.ImageWidth, Height = result.ImageHeight,
                    ByteCount = image.LongLength, CreatedAt = now,
                });
            }
            db.Predictions.AddRange(rows);
            await db.SaveChangesAsync(CancellationToken.None);
            return rows.Select(r => r.Id).ToList();
        }
        catch (Exception ex)
        {
            logger.LogError(ex, "Storing the predictions for image {Sha256} failed.", result.ImageSha256);
            if (wroteFiles && extension is not null)
            {
                store.TryDelete(result.ImageSha256, extension);
            }
            if (StorageException.IsStorageFailure(ex))
            {
                // The cause (with its server paths) goes to the log; the person gets what it means for them.
                var cause = StorageException.IsOutOfSpace(ex) ? "the server's disk is full" : "the server's storage refused the write";
                throw new StorageException($"The prediction could not be saved: {cause}. Nothing was stored; try again later.", ex);
            }
            throw;
        }
        finally
        {
            store.Gate.Release();
        }
    }
}
