using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using GroundingWeb.Data;
using GroundingWeb.Tests.Imaging;
using GroundingWeb.Tests.Support;

namespace GroundingWeb.Tests.Web;

/// <summary>
/// Issue 14 #3: with the data folder refusing writes the API answered 500 text/html and /health stayed
/// Healthy. The folder is made to refuse for real: a file stands where the image folder should be (this
/// runs as root in CI, where permissions would not stop a write).
/// </summary>
public sealed class StorageFailureTests
{
    [Fact]
    public async Task AnUploadTheDataFolderRefusesIsA503ProblemAndHealthSaysWhy()
    {
        using var app = new TestApp();
        var client = app.Client();
        var first = await client.PostAsync("/api/v1/ground", GroundApiTests.Form(TestImages.NoisePng(64, 48, 1), "the cat"));
        Assert.Equal(HttpStatusCode.OK, first.StatusCode);
        Assert.Equal("Healthy", (await client.GetFromJsonAsync<JsonElement>("/health")).GetProperty("status").GetString());

        var images = Path.Combine(app.DataFolder, "images");
        var filesBefore = app.StoredImageFileCount();
        Directory.Move(images, images + ".moved");
        await File.WriteAllTextAsync(images, "in the way");

        var refused = await client.PostAsync("/api/v1/ground", GroundApiTests.Form(TestImages.NoisePng(64, 48, 2), "the cat"));
        Assert.Equal(HttpStatusCode.ServiceUnavailable, refused.StatusCode);
        Assert.Equal("application/problem+json", refused.Content.Headers.ContentType?.MediaType);
        var problem = await refused.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal("Storage unavailable", problem.GetProperty("title").GetString());
        Assert.DoesNotContain(app.DataFolder, problem.GetProperty("detail").GetString());
        Assert.Equal(1, app.PredictionCount());

        var health = await client.GetAsync("/health");
        Assert.Equal(HttpStatusCode.ServiceUnavailable, health.StatusCode);
        var report = await health.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal("Unhealthy", report.GetProperty("status").GetString());
        var folder = report.GetProperty("checks").GetProperty("dataFolder");
        Assert.Equal("Unhealthy", folder.GetProperty("status").GetString());
        Assert.Contains("image folder cannot be written", folder.GetProperty("description").GetString());

        // Once the folder is back, so is the service, and nothing of the refused upload was left behind.
        File.Delete(images);
        Directory.Move(images + ".moved", images);
        Assert.Equal(filesBefore, app.StoredImageFileCount());
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/health")).StatusCode);
    }

    [Fact]
    public async Task AnUnhandledDatabaseFailureInTheApiIsAProblemDocumentWithoutItsText()
    {
        using var app = new TestApp();
        var member = await app.SignedInClientAsync(Roles.Reviewer);
        var database = Path.Combine(app.DataFolder, "groundingweb.db");
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        foreach (var sidecar in new[] { "-wal", "-shm" })
        {
            File.Delete(database + sidecar);
        }
        await File.WriteAllBytesAsync(database, new byte[8192]);
        await File.WriteAllTextAsync(database, "this is not a database, it only has its name");

        var response = await member.GetAsync("/api/v1/predictions/1");
        Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var body = await response.Content.ReadAsStringAsync();
        Assert.Contains("Storage unavailable", body);
        Assert.Contains("requestId", body);
        Assert.DoesNotContain("SqliteException", body);
        Assert.DoesNotContain(app.DataFolder, body);
        Assert.Equal("nosniff", response.Headers.GetValues("X-Content-Type-Options").Single());
        Assert.StartsWith("default-src 'none'", response.Headers.GetValues("Content-Security-Policy").Single());
    }

    [Theory]
    [InlineData(28, 507)]  // ENOSPC
    [InlineData(122, 507)] // EDQUOT
    [InlineData(13, 503)]  // EACCES
    public void AFullDiskIs507AndOtherRefusals503(int errno, int status)
    {
        var failure = new StorageException("could not save", new IOException("write failed", errno));
        Assert.Equal(status, StorageException.StatusCodeFor(failure));
    }
}
