namespace GroundingWeb.Features.Evaluations;

public static class EvaluationsSetup
{
    /// <summary>The evaluation job queue, its background worker and the dashboards' queries.</summary>
    public static void AddEvaluations(this IHostApplicationBuilder builder)
    {
        builder.Services.AddSingleton<EvaluationJobs>();
        builder.Services.AddSingleton<EvaluationQueries>();
        builder.Services.AddSingleton<EvaluationWorker>();
        builder.Services.AddHostedService(sp => sp.GetRequiredService<EvaluationWorker>());
    }
}
