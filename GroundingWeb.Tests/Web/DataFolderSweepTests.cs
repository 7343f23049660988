using System.Net;
using GroundingWeb.Data;
using GroundingWeb.Tests.Imaging;
using GroundingWeb.Tests.Support;
using Microsoft.Extensions.DependencyInjection;

namespace GroundingWeb.Tests.Web;

/// <summary>Issue 14 #8: what a kill -9 leaves (temp files, image files without their row) is swept; nothing else.</summary>
public sealed class DataFolderSweepTests
{
    [Fact]
    public async Task LeftoversOlderThanTheGraceAreRemovedAndEverythingReferencedOrUnknownStays()
    {
        using var app = new TestApp(("Data:SweepGraceSeconds", "60"), ("Data:SweepIntervalMinutes", "0"));
        var stored = await app.Client().PostAsync("/api/v1/ground", GroundApiTests.Form(TestImages.NoisePng(40, 30, 7), "the cat"));
        Assert.Equal(HttpStatusCode.OK, stored.StatusCode);
        var referenced = new[] { "images", "thumbs" }
            .SelectMany(folder => Directory.GetFiles(Path.Combine(app.DataFolder, folder), "*", SearchOption.AllDirectories)).ToList();
        Assert.Equal(2, referenced.Count);

        // The app's own sweep at start must be over before anything is planted, or it would take the plants.
        await app.Services.GetRequiredService<DataFolderSweep>().FirstSweep.WaitAsync(TimeSpan.FromMinutes(1));
        var old = DateTime.UtcNow.AddMinutes(-10);
        string Plant(string relative, bool stale = true)
        {
            var path = Path.Combine(app.DataFolder, relative);
            Directory.CreateDirectory(Path.GetDirectoryName(path)!);
            File.WriteAllBytes(path, [1, 2, 3]);
            if (stale)
            {
                File.SetLastWriteTimeUtc(path, old);
            }
            return path;
        }
        var orphanHash = new string('a', 64);
        var orphanImage = Plant($"images/aa/{orphanHash}.png");
        var orphanThumbnail = Plant($"thumbs/aa/{orphanHash}.jpg");
        var temporary = Plant($"images/aa/.{orphanHash}.png.4242.{Guid.NewGuid():N}.tmp");
        var probe = Plant($".write-test-{Guid.NewGuid():N}");
        var recentOrphan = Plant($"images/bb/{new string('b', 64)}.jpg", stale: false);
        var unknown = Plant("images/aa/notes.txt");
        foreach (var file in referenced)
        {
            File.SetLastWriteTimeUtc(file, old);
        }

        var result = await app.Services.GetRequiredService<DataFolderSweep>().SweepAsync(CancellationToken.None);

        Assert.Equal(new SweepResult(TemporaryFiles: 2, OrphanImages: 1, OrphanThumbnails: 1, KeptAsRecent: 1), result);
        Assert.All(new[] { orphanImage, orphanThumbnail, temporary, probe }, path => Assert.False(File.Exists(path), path));
        Assert.All(referenced.Append(recentOrphan).Append(unknown), path => Assert.True(File.Exists(path), path));
    }
}
