using GroundingWeb.Data;
using GroundingWeb.Inference.Hosting;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace GroundingWeb.Operations;

/// <summary>Ready only once every model of the active bundle has run once, so the first user does not pay for the load.</summary>
internal sealed class ModelWarmHealthCheck(GroundingEngine engine) : IHealthCheck
{
    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default) =>
        Task.FromResult(engine.IsWarm
            ? HealthCheckResult.Healthy("Model warmed up.")
            : HealthCheckResult.Unhealthy("The model is not warmed up yet."));
}

internal sealed class DatabaseHealthCheck(IDbContextFactory<AppDbContext> contexts) : IHealthCheck
{
    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        return await db.Database.CanConnectAsync(cancellationToken)
            ? HealthCheckResult.Healthy("Database reachable.")
            : HealthCheckResult.Unhealthy("The database cannot be opened.");
    }
}

/// <summary>
/// Unhealthy when a file cannot be written where uploads go (read-only or immutable folder, a file in the
/// way, a full disk): the load balancer stops sending work that would only fail. Degraded, still serving,
/// when less than <see cref="LowSpaceBytes"/> is free.
/// </summary>
internal sealed class DataFolderHealthCheck(Microsoft.Extensions.Options.IOptions<DataOptions> options) : IHealthCheck
{
    public const long LowSpaceBytes = 256L * 1024 * 1024;

    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        var data = options.Value;
        foreach (var (name, folder) in new[] { ("data folder", data.FullPath), ("image folder", data.ImagesPath), ("thumbnail folder", data.ThumbnailsPath) })
        {
            try
            {
                Directory.CreateDirectory(folder);
                var probe = Path.Combine(folder, $".health-{Guid.NewGuid():N}.probe");
                File.WriteAllBytes(probe, [0]);
                File.Delete(probe);
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
            {
                // Which folder and why, not the exception's text: /health is read by anonymous probes.
                var why = StorageException.IsOutOfSpace(ex) ? "the disk is full" : ex is UnauthorizedAccessException ? "permission denied" : "the file system refused the write";
                return Task.FromResult(HealthCheckResult.Unhealthy(
                    $"The {name} cannot be written ({why}): uploads and predictions cannot be stored."));
            }
        }
        long free;
        try
        {
            free = new DriveInfo(data.FullPath).AvailableFreeSpace;
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or ArgumentException)
        {
            return Task.FromResult(HealthCheckResult.Degraded("The free space of the data folder's disk cannot be read."));
        }
        return Task.FromResult(free < LowSpaceBytes
            ? HealthCheckResult.Degraded($"The data folder has {free / 1048576} MB free; uploads fail when it is full.")
            : HealthCheckResult.Healthy("The data folder is writable."));
    }
}
