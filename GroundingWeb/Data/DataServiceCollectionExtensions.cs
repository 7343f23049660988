using Microsoft.AspNetCore.DataProtection;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace GroundingWeb.Data;

public static class DataServiceCollectionExtensions
{
    /// <summary>Data only: the data folder (validated at start), the Sqlite database in it, the Data Protection keys and the image store.</summary>
    public static void AddAppData(this WebApplicationBuilder builder)
    {
        builder.Services.AddOptions<DataOptions>().BindConfiguration(DataOptions.SectionName).ValidateDataAnnotations().ValidateOnStart();
        builder.Services.AddSingleton<DataOptionsSetup>();
        builder.Services.AddSingleton<IPostConfigureOptions<DataOptions>>(sp => sp.GetRequiredService<DataOptionsSetup>());
        builder.Services.AddSingleton<IValidateOptions<DataOptions>>(sp => sp.GetRequiredService<DataOptionsSetup>());

        builder.Services.AddDbContextFactory<AppDbContext>((sp, options) =>
        {
            var data = sp.GetRequiredService<IOptions<DataOptions>>().Value;
            Directory.CreateDirectory(data.FullPath);
            options.UseSqlite($"Data Source={data.DatabasePath}");
        });
        // Identity's stores want a scoped context; components and services use the factory.
        builder.Services.AddScoped(sp => sp.GetRequiredService<IDbContextFactory<AppDbContext>>().CreateDbContext());

        // Sign-in cookies and antiforgery tokens stay valid across restarts (and container replacements):
        // the keys that protect them live in the data folder, not in memory.
        var keys = Path.Combine(Path.GetFullPath(Path.Combine(builder.Environment.ContentRootPath, builder.Configuration["Data:Folder"] ?? "App_Data")), "keys");
        builder.Services.AddDataProtection().PersistKeysToFileSystem(new DirectoryInfo(keys)).SetApplicationName("GroundingWeb");

        builder.Services.AddSingleton<ImageStore>();
        builder.Services.AddSingleton<DataFolderSweep>();
        builder.Services.AddHostedService<DataFolderSweeper>();
    }
}
