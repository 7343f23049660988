using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using GroundingWeb.Inference.Runtime;

namespace GroundingWeb.Inference.Hosting;

/// <summary>Loads the bundle and runs each model once when the host starts, off the request path.</summary>
internal sealed class WarmUpService(GroundingEngine engine, IOptions<InferenceOptions> options) : BackgroundService
{
    protected override Task ExecuteAsync(CancellationToken stoppingToken) =>
        // ONNX Runtime's Run is synchronous; this keeps host start-up from waiting for it.
        Task.Factory.StartNew(() =>
        {
            if (options.Value.WarmUp)
            {
                engine.WarmUp();
            }
            else
            {
                _ = engine.Pipeline;
            }
        }, stoppingToken, TaskCreationOptions.LongRunning, TaskScheduler.Default);
}
