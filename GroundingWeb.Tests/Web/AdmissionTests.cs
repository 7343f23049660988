using System.Diagnostics.Metrics;
using System.Net;
using System.Text.Json;
using GroundingWeb.Features.Ground;
using GroundingWeb.Tests.Support;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace GroundingWeb.Tests.Web;

public sealed class AdmissionTests
{
    private static readonly byte[] Chelsea = File.ReadAllBytes(RepositoryPaths.Sample("chelsea.png"));

    private static InferenceAdmission Admission(int concurrent, int queued, int waitMs) =>
        new(Options.Create(new AdmissionOptions { MaxConcurrent = concurrent, MaxQueued = queued, MaxWaitMilliseconds = waitMs }),
            new GroundingTelemetry(new TestMeterFactory()));

    [Fact]
    public async Task WithEverySlotTakenAndNoQueueARequestIsRefusedAtOnce()
    {
        using var admission = Admission(concurrent: 1, queued: 0, waitMs: 10_000);
        using var held = await admission.EnterAsync(CancellationToken.None);
        var clock = System.Diagnostics.Stopwatch.StartNew();

        var busy = await Assert.ThrowsAsync<ServerBusyException>(() => admission.EnterAsync(CancellationToken.None));

        Assert.True(clock.ElapsedMilliseconds < 1000, "refused at once, not after the wait");
        Assert.Contains("0 grounding request(s) are already waiting", busy.Message);
        Assert.InRange(busy.RetryAfterSeconds, 1, 60);
    }

    [Fact]
    public async Task AQueuedRequestGetsTheSlotWhenItFreesOrIsRefusedWhenItsWaitRunsOut()
    {
        using var admission = Admission(concurrent: 1, queued: 1, waitMs: 300);
        var held = await admission.EnterAsync(CancellationToken.None);

        var timedOut = await Assert.ThrowsAsync<ServerBusyException>(() => admission.EnterAsync(CancellationToken.None));
        var waiting = admission.EnterAsync(CancellationToken.None);
        Assert.Equal(1, admission.Queued);
        held.Dispose();
        using var next = await waiting;

        Assert.Contains("within 300 ms", timedOut.Message);
        Assert.Equal(0, admission.Queued);
        Assert.Equal(1, admission.Running);
    }

    [Fact]
    public async Task TheApiAnswers503WithRetryAfterAndAProblemAndStoresNothing()
    {
        await using var app = new TestApp(("Admission:MaxConcurrent", "1"), ("Admission:MaxQueued", "0"));
        var client = app.Client();
        var admission = app.Services.GetRequiredService<InferenceAdmission>();
        var before = app.PredictionCount();

        HttpResponseMessage refused;
        using (await admission.EnterAsync(CancellationToken.None))
        {
            refused = await client.PostAsync("/api/v1/ground", GroundApiTests.Form(Chelsea, "the cat"));
        }
        var admitted = await client.PostAsync("/api/v1/ground", GroundApiTests.Form(Chelsea, "the cat"));

        Assert.Equal(HttpStatusCode.ServiceUnavailable, refused.StatusCode);
        Assert.Equal("application/problem+json", refused.Content.Headers.ContentType?.MediaType);
        Assert.True(refused.Headers.RetryAfter?.Delta >= TimeSpan.FromSeconds(1));
        using var problem = JsonDocument.Parse(await refused.Content.ReadAsStringAsync());
        Assert.Equal("Server busy", problem.RootElement.GetProperty("title").GetString());
        Assert.Equal(HttpStatusCode.OK, admitted.StatusCode);
        Assert.Equal(before + 1, app.PredictionCount());
    }

    private sealed class TestMeterFactory : IMeterFactory
    {
        public Meter Create(MeterOptions options) => new(options);

        public void Dispose()
        {
        }
    }
}
