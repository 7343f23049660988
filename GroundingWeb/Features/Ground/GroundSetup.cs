namespace GroundingWeb.Features.Ground;

public static class GroundSetup
{
    /// <summary>The Ground page's services: grounding with storage and admission control, its metrics, and the sample images.</summary>
    public static void AddGround(this IHostApplicationBuilder builder)
    {
        builder.Services.AddOptions<SampleOptions>().BindConfiguration(SampleOptions.SectionName);
        builder.Services.AddSingleton<SampleImages>();
        builder.Services.AddSingleton<GroundingTelemetry>();
        builder.Services.AddOptions<AdmissionOptions>().BindConfiguration(AdmissionOptions.SectionName).ValidateDataAnnotations().ValidateOnStart();
        builder.Services.AddSingleton<InferenceAdmission>();
        builder.Services.AddScoped<GroundingService>();
    }
}
