namespace GroundingWeb.Features.History;

public static class HistorySetup
{
    /// <summary>Search and deletion of stored predictions; their images are served by <see cref="MediaEndpoints"/>.</summary>
    public static void AddHistory(this IHostApplicationBuilder builder) => builder.Services.AddScoped<HistoryService>();
}
