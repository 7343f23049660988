namespace GroundingWeb.Features.Ground;

public static class GroundSetup
{
    /// <summary>The Ground page's services: grounding with storage, its metrics, and the sample images.</summary>
    public static void AddGround(this IHostApplicationBuilder builder)
    {
        builder.Services.AddOptions<SampleOptions>().BindConfiguration(SampleOptions.SectionName);
        builder.Services.AddSingleton<SampleImages>();
        builder.Services.AddSingleton<GroundingTelemetry>();
        builder.Services.AddScoped<GroundingService>();
    }
}
