using System.Diagnostics.Metrics;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using GroundingWeb.Inference.Hosting;
using GroundingWeb.Features.Ground;
using GroundingWeb.Tests.Support;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace GroundingWeb.Tests.Web;

public sealed class OperationsTests
{
    [Fact]
    public async Task HealthIsReadyOnlyOnceTheModelIsWarm()
    {
        using var app = new TestApp(("Inference:WarmUp", "false"));
        var client = app.Client();

        var cold = await client.GetAsync("/health");
        Assert.Equal(HttpStatusCode.ServiceUnavailable, cold.StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/health/live")).StatusCode);

        app.Services.GetRequiredService<GroundingEngine>().WarmUp();
        var warm = await client.GetFromJsonAsync<JsonElement>("/health");
        Assert.Equal("Healthy", warm.GetProperty("status").GetString());
        Assert.Equal("Healthy", warm.GetProperty("checks").GetProperty("model").GetProperty("status").GetString());
        Assert.Equal("Healthy", warm.GetProperty("checks").GetProperty("database").GetProperty("status").GetString());
    }

    [Fact]
    public async Task DatabaseIsMigratedAtStartAndRunsInWalMode()
    {
        using var app = new TestApp();
        _ = await app.Client().GetAsync("/health/live");
        using var scope = app.Services.CreateScope();
        var db = scope.ServiceProvider.GetRequiredService<GroundingWeb.Data.AppDbContext>();

        Assert.Empty(await Microsoft.EntityFrameworkCore.RelationalDatabaseFacadeExtensions.GetPendingMigrationsAsync(db.Database));
        var connection = db.Database.GetDbConnection();
        await connection.OpenAsync();
        using var command = connection.CreateCommand();
        command.CommandText = "PRAGMA journal_mode;";
        Assert.Equal("wal", (string?)await command.ExecuteScalarAsync());
        Assert.True(File.Exists(Path.Combine(app.DataFolder, "groundingweb.db")));
    }

    [Fact]
    public async Task GroundingRecordsLatencyAndCacheHitsAsMetrics()
    {
        using var app = new TestApp();
        var client = app.Client();
        var measurements = new List<(string Instrument, double Value, string? Stage)>();
        using var listener = new MeterListener();
        // Only this app's meter: other tests' apps in the same process publish a meter of the same name.
        var scope = app.Services.GetRequiredService<IMeterFactory>();
        listener.InstrumentPublished = (instrument, l) =>
        {
            if (instrument.Meter.Name == GroundingTelemetry.MeterName && ReferenceEquals(instrument.Meter.Scope, scope)) l.EnableMeasurementEvents(instrument);
        };
        listener.SetMeasurementEventCallback<double>((i, v, tags, _) => measurements.Add((i.Name, v, Stage(tags))));
        listener.SetMeasurementEventCallback<long>((i, v, tags, _) => measurements.Add((i.Name, v, Stage(tags))));
        listener.Start();

        var image = File.ReadAllBytes(RepositoryPaths.Sample("chelsea.png"));
        await client.PostAsync("/api/v1/ground", GroundApiTests.Form(image, "the cat"));
        await client.PostAsync("/api/v1/ground", GroundApiTests.Form(image, "the cat", "the sofa"));

        Assert.Equal(1, measurements.Count(m => m.Instrument == "grounding.image_cache.misses"));
        Assert.Equal(1, measurements.Count(m => m.Instrument == "grounding.image_cache.hits"));
        Assert.Equal(3, measurements.Where(m => m.Instrument == "grounding.prompts").Sum(m => m.Value));
        var totals = measurements.Where(m => m.Instrument == "grounding.inference.duration" && m.Stage == "total").ToList();
        Assert.Equal(2, totals.Count);
        Assert.All(totals, m => Assert.True(m.Value > 0));
    }

    private static string? Stage(ReadOnlySpan<KeyValuePair<string, object?>> tags)
    {
        foreach (var tag in tags)
        {
            if (tag.Key == "stage") return tag.Value as string;
        }
        return null;
    }
}
