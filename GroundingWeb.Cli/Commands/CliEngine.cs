using GroundingWeb.Authoring.Demo;
using GroundingWeb.Inference.Bundles;
using GroundingWeb.Inference.Pipeline;
using GroundingWeb.Inference.Runtime;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Console;

namespace GroundingWeb.Cli.Commands;

/// <summary>Opens a bundle the way the web app does, without a host.</summary>
internal static class CliEngine
{
    /// <param name="tune">Adjusts the remaining options (bench's thread-pool settings).</param>
    public static GroundingPipeline Open(string bundlePath, ExecutionProviderPreference provider, bool verbose, int cacheMegabytes = 256, Action<InferenceOptions>? tune = null)
    {
        // Logs go to standard error: standard output is the command's result (--json prints one document).
        var loggers = LoggerFactory.Create(b => b
            .AddSimpleConsole(o => { o.SingleLine = true; o.TimestampFormat = null; })
            .SetMinimumLevel(verbose ? LogLevel.Information : LogLevel.Warning)
            .Services.Configure<ConsoleLoggerOptions>(o => o.LogToStandardErrorThreshold = LogLevel.Trace));
        // The console logger writes on a thread of its own; disposing it at exit flushes what is queued.
        AppDomain.CurrentDomain.ProcessExit += (_, _) => loggers.Dispose();
        var options = new InferenceOptions { BundlePath = bundlePath, ExecutionProvider = provider, ImageTokenCacheMegabytes = cacheMegabytes };
        tune?.Invoke(options);
        return GroundingPipeline.Open(bundlePath, options, loggers, [new DemoEncoders()]);
    }

    /// <summary>The plain-words warning every output carries while the head is untrained.</summary>
    public static string? UntrainedWarning(BundleManifest manifest) => manifest.Trained
        ? null
        : $"warning: model '{manifest.Name}' has an UNTRAINED fusion head (random weights): its boxes are not meaningful yet.";
}
