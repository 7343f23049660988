using GroundingWeb.Authoring.Demo;
using GroundingWeb.Inference.Bundles;
using GroundingWeb.Inference.Hosting;
using GroundingWeb.Inference.Runtime;
using GroundingWeb.Tests.Support;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace GroundingWeb.Tests.Hosting;

public sealed class GroundingEngineTests
{
    private static readonly byte[] Chelsea = File.ReadAllBytes(RepositoryPaths.Sample("chelsea.png"));

    private static GroundingEngine CreateEngine()
    {
        var options = new InferenceOptions { BundlePath = RepositoryPaths.DemoBundle, ExecutionProvider = ExecutionProviderPreference.Cpu };
        var providers = new ExecutionProviderSelector(options, NullLogger<ExecutionProviderSelector>.Instance);
        return new GroundingEngine(Options.Create(options), new BundleLoader(providers, [new DemoEncoders()]), NullLoggerFactory.Instance);
    }

    [Fact]
    public void AnEvaluationOfTheActiveBundleSharesItsSessionsButNotItsCache()
    {
        using var engine = CreateEngine();

        using var visitor = engine.Acquire();
        using var another = engine.Acquire();
        using var evaluation = engine.Acquire(engine.ActiveBundlePath, imageTokenCacheBytes: 1024 * 1024);

        Assert.Same(visitor.Bundle, evaluation.Bundle);
        Assert.Same(visitor.Cache, another.Cache);
        Assert.NotSame(visitor.Cache, evaluation.Cache);
        evaluation.Ground(Chelsea, ["the cat"]);
        Assert.Equal(0, visitor.Cache.Count);
        Assert.Equal(1, evaluation.Cache.Count);
    }

    [Fact]
    public void ACallRunningOnTheReplacedBundleCompletesAndItsSessionsCloseAfterIt()
    {
        using var other = DemoBundleCopy.Create(json => json["name"] = "other-demo");
        using var engine = CreateEngine();
        var lease = engine.Acquire();
        var old = lease.Bundle;
        Exception? failure = null;
        var calls = 0;
        using var started = new ManualResetEventSlim();
        var running = new Thread(() =>
        {
            try
            {
                for (var i = 0; i < 6; i++)
                {
                    lease.Ground(Chelsea, [$"the cat {i}"]);
                    calls++;
                    started.Set();
                }
            }
            catch (Exception ex)
            {
                failure = ex;
                started.Set();
            }
        });

        running.Start();
        started.Wait();
        engine.Activate(other.Path);
        running.Join();

        Assert.Null(failure);
        Assert.Equal(6, calls);
        Assert.False(old.IsClosed);
        using (var now = engine.Acquire())
        {
            Assert.Equal("other-demo", now.Manifest.Name);
            Assert.NotSame(old, now.Bundle);
        }
        lease.Dispose();
        Assert.True(old.IsClosed);
    }

    [Fact]
    public void AReplacedBundleWithoutCallsClosesAtTheSwitch()
    {
        using var other = DemoBundleCopy.Create(json => json["name"] = "other-demo");
        using var engine = CreateEngine();
        ModelBundle old;
        using (var lease = engine.Acquire())
        {
            old = lease.Bundle;
        }

        engine.Activate(other.Path);

        Assert.True(old.IsClosed);
    }

    [Fact]
    public void ABundleOnlyAnEvaluationOpenedClosesWhenItsLeaseEnds()
    {
        using var other = DemoBundleCopy.Create(json => json["name"] = "evaluated-only");
        using var engine = CreateEngine();

        var evaluation = engine.Acquire(other.Path, imageTokenCacheBytes: 0);
        var bundle = evaluation.Bundle;
        using (var second = engine.Acquire(other.Path, imageTokenCacheBytes: 0))
        {
            Assert.Same(bundle, second.Bundle);
        }
        Assert.False(bundle.IsClosed);
        evaluation.Dispose();

        Assert.True(bundle.IsClosed);
        Assert.Throws<ObjectDisposedException>(() => evaluation.Ground(Chelsea, ["the cat"]));
    }

    [Fact]
    public void DisposingTheEngineClosesBundlesThatCallsStillHold()
    {
        using var other = DemoBundleCopy.Create(json => json["name"] = "other-demo");
        var engine = CreateEngine();
        var lease = engine.Acquire();
        engine.Activate(other.Path);
        ModelBundle active;
        using (var now = engine.Acquire())
        {
            active = now.Bundle;
        }

        engine.Dispose();

        Assert.True(lease.Bundle.IsClosed);
        Assert.True(active.IsClosed);
        Assert.Throws<ObjectDisposedException>(() => engine.Acquire());
        lease.Dispose();
    }
}
