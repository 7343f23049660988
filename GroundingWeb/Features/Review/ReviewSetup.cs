namespace GroundingWeb.Features.Review;

public static class ReviewSetup
{
    /// <summary>Verdicts, fixes and comments on predictions, and the export of reviewed samples.</summary>
    public static void AddReview(this IHostApplicationBuilder builder)
    {
        builder.Services.AddScoped<ReviewService>();
        builder.Services.AddScoped<ReviewExport>();
    }
}
