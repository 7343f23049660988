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
        using var switched = new ManualResetEventSlim();
        using var running = new CallLoop(lease, stopAfter: switched);

        running.WaitForFirstCall();
        engine.Activate(other.Path);
        switched.Set();
        running.Join();

        Assert.Null(running.Failure);
        Assert.True(running.CallsAfterStart > 1, "calls went on while the engine switched bundles");
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
    public void AnEvaluationThatOpenedTheActiveBundleFirstSharesItsSessionsWithVisitors()
    {
        using var engine = CreateEngine();

        using var evaluation = engine.Acquire(RepositoryPaths.DemoBundle + Path.DirectorySeparatorChar, imageTokenCacheBytes: 0);
        using var visitor = engine.Acquire();
        using var spelledAnotherWay = engine.Acquire(Path.Combine(RepositoryPaths.DemoBundle, "..", "demo"), imageTokenCacheBytes: 0);

        Assert.Same(evaluation.Bundle, visitor.Bundle);
        Assert.Same(evaluation.Bundle, spelledAnotherWay.Bundle);
        Assert.Equal(Path.TrimEndingDirectorySeparator(RepositoryPaths.DemoBundle), engine.ActiveBundlePath);
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
    public void DisposingTheEngineWaitsForRunningCallsThenClosesEveryBundle()
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
        using var running = new CallLoop(lease, stopAfter: null);

        running.WaitForFirstCall();
        engine.Dispose();
        running.Join();

        // Calls that started before the close completed; the next one is refused, never run on freed sessions.
        Assert.IsType<ObjectDisposedException>(running.Failure);
        Assert.True(lease.Bundle.IsClosed);
        Assert.True(active.IsClosed);
        Assert.Throws<ObjectDisposedException>(() => engine.Acquire());
        lease.Dispose();
    }

    /// <summary>Grounds on a thread of its own, call after call, until told to stop or a call fails.</summary>
    private sealed class CallLoop : IDisposable
    {
        private readonly ManualResetEventSlim _firstCall = new();
        private readonly Thread _thread;

        public CallLoop(GroundingWeb.Inference.Pipeline.GroundingPipeline pipeline, ManualResetEventSlim? stopAfter)
        {
            _thread = new Thread(() =>
            {
                try
                {
                    pipeline.Ground(Chelsea, ["the cat"]);
                    _firstCall.Set();
                    // Until the stop signal, then one more call, so that calls straddle whatever the test does.
                    for (var i = 0; i < 1000; i++)
                    {
                        var stopping = stopAfter?.IsSet ?? false;
                        pipeline.Ground(Chelsea, [$"the cat {i}"]);
                        CallsAfterStart++;
                        if (stopping)
                        {
                            return;
                        }
                    }
                }
                catch (Exception ex)
                {
                    Failure = ex;
                }
                finally
                {
                    _firstCall.Set();
                }
            });
            _thread.Start();
        }

        public int CallsAfterStart { get; private set; }

        public Exception? Failure { get; private set; }

        public void WaitForFirstCall() => _firstCall.Wait();

        public void Join() => _thread.Join();

        public void Dispose() => _firstCall.Dispose();
    }
}
