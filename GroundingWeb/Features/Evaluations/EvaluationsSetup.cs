namespace GroundingWeb.Features.Evaluations;

public static class EvaluationsSetup
{
    /// <summary>The evaluation job queue, its background worker, the dashboards' queries and the start-up image-root backfill.</summary>
    public static void AddEvaluations(this IHostApplicationBuilder builder)
    {
        builder.Services.AddSingleton<EvaluationJobs>();
        builder.Services.AddSingleton<EvaluationQueries>();
        builder.Services.AddSingleton<EvaluationWorker>();
        builder.Services.AddHostedService(sp => sp.GetRequiredService<EvaluationWorker>());
        builder.Services.AddHostedService<ImageRootBackfill>();
    }
}
