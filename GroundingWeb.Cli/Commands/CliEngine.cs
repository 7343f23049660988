using GroundingWeb.Inference.Bundles;
using GroundingWeb.Inference.Hosting;
using GroundingWeb.Inference.Pipeline;
using GroundingWeb.Inference.Runtime;
using Microsoft.Extensions.Logging;

namespace GroundingWeb.Cli.Commands;

/// <summary>Builds the pipeline the way the web app does, without a host.</summary>
internal static class CliEngine
{
    public static GroundingPipeline Open(string bundlePath, ExecutionProviderPreference provider, bool verbose, int cacheMegabytes = 256)
    {
        var loggers = LoggerFactory.Create(b => b
            .AddSimpleConsole(o => { o.SingleLine = true; o.TimestampFormat = null; })
            .SetMinimumLevel(verbose ? LogLevel.Information : LogLevel.Warning));
        var options = new InferenceOptions { BundlePath = bundlePath, ExecutionProvider = provider, ImageTokenCacheMegabytes = cacheMegabytes };
        var selector = new ExecutionProviderSelector(options, loggers.CreateLogger<ExecutionProviderSelector>());
        var bundle = new BundleLoader(selector).Load(BundlePathResolver.Resolve(bundlePath));
        return new GroundingPipeline(bundle, options, new ImageTokenCache((long)cacheMegabytes * 1024 * 1024), loggers.CreateLogger<GroundingPipeline>());
    }

    /// <summary>The plain-words warning every output carries while the head is untrained.</summary>
    public static string? UntrainedWarning(BundleManifest manifest) => manifest.Trained
        ? null
        : $"warning: model '{manifest.Name}' has an UNTRAINED fusion head (random weights): its boxes are not meaningful yet.";
}
