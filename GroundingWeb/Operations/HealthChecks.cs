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
