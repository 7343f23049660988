using GroundingWeb.Inference.Bundles;
using GroundingWeb.Inference.Runtime;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace GroundingWeb.Inference.Hosting;

/// <summary>Loads the bundle and runs each model once when the host starts, off the request path.</summary>
internal sealed partial class WarmUpService(GroundingEngine engine, IOptions<InferenceOptions> options, ILogger<WarmUpService> logger) : BackgroundService
{
    protected override Task ExecuteAsync(CancellationToken stoppingToken) =>
        // ONNX Runtime's Run is synchronous; this keeps host start-up from waiting for it.
        Task.Factory.StartNew(() =>
        {
            try
            {
                if (options.Value.WarmUp)
                {
                    engine.WarmUp();
                }
                else
                {
                    // Loading alone still moves the slow part off the first request.
                    engine.Acquire().Dispose();
                }
            }
            catch (Exception ex) when (ex is BundleException or InvalidOperationException or IOException)
            {
                // The app stays up so its pages can show the problem; requests get the same error.
                LogLoadFailed(logger, ex.Message);
            }
        }, stoppingToken, TaskCreationOptions.LongRunning, TaskScheduler.Default);

    [LoggerMessage(EventId = 1010, Level = LogLevel.Error, Message = "The model bundle could not be loaded: {Reason}")]
    private static partial void LogLoadFailed(ILogger logger, string reason);
}
