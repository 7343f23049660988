using GroundingWeb.Inference.Bundles;
using GroundingWeb.Inference.Runtime;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace GroundingWeb.Inference.Hosting;

public static class InferenceServiceCollectionExtensions
{
    /// <summary>
    /// Registers the grounding engine bound to the <c>Inference</c> configuration section, validated at
    /// start, with a hosted warm-up. <see cref="Bundles.IBundlePreparer"/> singletons registered beside it
    /// (GroundingWeb.Authoring's <c>DemoEncoders</c>) run before each bundle loads.
    /// </summary>
    public static IServiceCollection AddGroundingInference(this IServiceCollection services, bool warmUpInBackground = true)
    {
        services.AddOptions<InferenceOptions>()
            .BindConfiguration(InferenceOptions.SectionName)
            .ValidateDataAnnotations()
            .ValidateOnStart();
        services.AddSingleton<IValidateOptions<InferenceOptions>, InferenceOptionsValidator>();
        services.AddSingleton(sp => new ExecutionProviderSelector(
            sp.GetRequiredService<IOptions<InferenceOptions>>().Value, sp.GetRequiredService<ILogger<ExecutionProviderSelector>>()));
        services.AddSingleton<BundleLoader>();
        services.AddSingleton(sp => new GroundingEngine(
            sp.GetRequiredService<IOptions<InferenceOptions>>(), sp.GetRequiredService<BundleLoader>(), sp.GetRequiredService<ILoggerFactory>()));
        if (warmUpInBackground)
        {
            services.AddHostedService<WarmUpService>();
        }
        return services;
    }
}
