using System.Text.Json;
using GroundingWeb.Features.Ground;
using Microsoft.AspNetCore.Diagnostics.HealthChecks;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using OpenTelemetry;
using OpenTelemetry.Metrics;
using OpenTelemetry.Resources;

namespace GroundingWeb.Operations;

/// <summary>Health endpoints and OpenTelemetry metrics.</summary>
public static class OperationsSetup
{
    public static void AddOperations(this WebApplicationBuilder builder)
    {
        builder.Services.AddHealthChecks()
            .AddCheck<ModelWarmHealthCheck>("model", tags: ["ready"])
            .AddCheck<DatabaseHealthCheck>("database", tags: ["ready"])
            .AddCheck<DataFolderHealthCheck>("dataFolder", tags: ["ready"]);

        var metrics = builder.Services.AddOpenTelemetry()
            .ConfigureResource(resource => resource.AddService("GroundingWeb"))
            .WithMetrics(meters => meters.AddMeter(GroundingTelemetry.MeterName).AddAspNetCoreInstrumentation());
        // Exported only where a collector is configured (the standard OTEL_EXPORTER_OTLP_ENDPOINT variable).
        if (!string.IsNullOrEmpty(builder.Configuration["OTEL_EXPORTER_OTLP_ENDPOINT"]))
        {
            metrics.UseOtlpExporter();
        }
    }

    public static void MapOperations(this IEndpointRouteBuilder app)
    {
        // /health answers 200 only when the model is warm, the database opens and the data folder takes writes
        // (Degraded, still 200, when its disk is nearly full): a load balancer's readiness probe.
        app.MapHealthChecks("/health", new HealthCheckOptions { Predicate = check => check.Tags.Contains("ready"), ResponseWriter = WriteJson });
        // /health/live answers 200 while the process serves requests at all.
        app.MapHealthChecks("/health/live", new HealthCheckOptions { Predicate = _ => false });
    }

    private static Task WriteJson(HttpContext context, HealthReport report)
    {
        context.Response.ContentType = "application/json";
        return context.Response.WriteAsync(JsonSerializer.Serialize(new
        {
            status = report.Status.ToString(),
            checks = report.Entries.ToDictionary(e => e.Key, e => new { status = e.Value.Status.ToString(), description = e.Value.Description }),
        }));
    }
}
