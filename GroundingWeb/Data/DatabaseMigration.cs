using Microsoft.EntityFrameworkCore;

namespace GroundingWeb.Data;

/// <summary>
/// Brings the database to the current schema before the app serves anything and switches Sqlite to
/// WAL, so that readers do not block the writer.
/// </summary>
public static class DatabaseMigration
{
    public static async Task MigrateDatabaseAsync(this WebApplication app)
    {
        using var scope = app.Services.CreateScope();
        var db = scope.ServiceProvider.GetRequiredService<AppDbContext>();
        await db.Database.MigrateAsync();
        await db.Database.ExecuteSqlRawAsync("PRAGMA journal_mode=WAL;");
    }
}
