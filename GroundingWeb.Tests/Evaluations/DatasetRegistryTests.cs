using GroundingWeb.Features.Datasets;
using GroundingWeb.Tests.Support;
using Microsoft.Extensions.DependencyInjection;

namespace GroundingWeb.Tests.Evaluations;

public sealed class DatasetRegistryTests
{
    [Fact]
    public async Task TheDemoSplitIsRegisteredOnFirstStartWithItsCounts()
    {
        using var app = new TestApp();
        _ = app.Client();

        var demo = Assert.Single(await app.Services.GetRequiredService<DatasetRegistry>().ListAsync());
        Assert.Equal((DatasetRegistry.DemoName, "jsonl"), (demo.Name, demo.Format));
        var counts = DatasetRegistry.SplitCounts(demo);
        Assert.Equal(["testA", "testB", "val"], counts.Keys.Order(StringComparer.Ordinal));
        Assert.All(counts.Values, n => Assert.True(n > 10));
        Assert.StartsWith(app.DataFolder, demo.Path);
    }

    [Fact]
    public async Task RegistrationValidatesTheFolderAndStoresNothingOnError()
    {
        using var app = new TestApp();
        _ = app.Client();
        var registry = app.Services.GetRequiredService<DatasetRegistry>();
        var demoPath = (await registry.ListAsync())[0].Path;
        using var folder = new TempFolder();
        File.WriteAllText(folder.File("val.jsonl"), "{\"image\":\"a.png\",\"expression\":\"x\",\"box\":[1,2,3,4]}\nthis is not json\n");
        using var empty = new TempFolder();

        var copy = await registry.RegisterAsync("second copy", demoPath, "jsonl", null, "admin");
        Assert.Equal(DatasetRegistry.SplitCounts((await registry.ListAsync())[0]), DatasetRegistry.SplitCounts(copy));

        await Assert.ThrowsAsync<ArgumentException>(() => registry.RegisterAsync("second copy", demoPath, "jsonl", null, "admin"));
        await Assert.ThrowsAsync<ArgumentException>(() => registry.RegisterAsync("x", "/no/such/folder", "jsonl", null, "admin"));
        await Assert.ThrowsAsync<ArgumentException>(() => registry.RegisterAsync("x", demoPath, "csv", null, "admin"));
        await Assert.ThrowsAsync<ArgumentException>(() => registry.RegisterAsync(" ", demoPath, "jsonl", null, "admin"));
        var nothing = await Assert.ThrowsAnyAsync<IOException>(() => registry.RegisterAsync("x", empty.Path, "jsonl", null, "admin"));
        Assert.Contains("no *.jsonl files", nothing.Message);
        var malformed = await Assert.ThrowsAnyAsync<Exception>(() => registry.RegisterAsync("x", folder.Path, "jsonl", null, "admin"));
        Assert.Contains("val.jsonl", malformed.Message);
        Assert.Equal(2, (await registry.ListAsync()).Count);
    }

    [Fact]
    public async Task AGigabyteJsonLinesFileWithoutLineBreaksIsRefusedWithAMessageAndNothingStored()
    {
        using var app = new TestApp();
        _ = app.Client();
        var registry = app.Services.GetRequiredService<DatasetRegistry>();
        using var folder = new TempFolder();
        using (var sparse = File.Create(folder.File("val.jsonl")))
        {
            sparse.SetLength(1L << 30);
        }

        var error = await Assert.ThrowsAsync<InvalidDataException>(() => registry.RegisterAsync("huge", folder.Path, "jsonl", null, "admin"));

        Assert.Contains("line 1 is longer than", error.Message);
        Assert.DoesNotContain(await registry.ListAsync(), d => d.Name == "huge");
    }
}
