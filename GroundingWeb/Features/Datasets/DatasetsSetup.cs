namespace GroundingWeb.Features.Datasets;

public static class DatasetsSetup
{
    /// <summary>The registry of dataset folders the evaluation runs read.</summary>
    public static void AddDatasets(this IHostApplicationBuilder builder) => builder.Services.AddSingleton<DatasetRegistry>();
}
