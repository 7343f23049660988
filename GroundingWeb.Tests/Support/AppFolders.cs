using System.Diagnostics;
using System.Reflection;

namespace GroundingWeb.Tests.Support;

/// <summary>The app's build output and its published output, for tests that run the app as a child process.</summary>
internal static class AppFolders
{
    private static string Configuration { get; } =
        typeof(AppFolders).Assembly.GetCustomAttribute<AssemblyConfigurationAttribute>()!.Configuration;

    private static string RepositoryRoot => Path.GetDirectoryName(Path.GetDirectoryName(RepositoryPaths.DemoBundle))!;

    private static string Project => Path.Combine(RepositoryRoot, "GroundingWeb", "GroundingWeb.csproj");

    /// <summary>GroundingWeb/bin/{configuration}/net10.0: what `dotnet build` leaves, built with the tests.</summary>
    public static string Build
    {
        get
        {
            var folder = Path.Combine(RepositoryRoot, "GroundingWeb", "bin", Configuration, "net10.0");
            Assert.True(File.Exists(Path.Combine(folder, "GroundingWeb.dll")), $"the app is not built at {folder}");
            return folder;
        }
    }

    private static readonly Lazy<string> PublishedFolder = new(PublishOnce);

    /// <summary>`dotnet publish` of the build the tests run on (--no-build, so seconds), once per test run.</summary>
    public static string Published => PublishedFolder.Value;

    private static string PublishOnce()
    {
        var output = Path.Combine(AppContext.BaseDirectory, "published-app");
        if (Directory.Exists(output))
        {
            Directory.Delete(output, recursive: true);
        }
        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var argument in new[] { "publish", Project, "-c", Configuration, "--no-build", "-o", output, "-nodeReuse:false" })
        {
            start.ArgumentList.Add(argument);
        }
        start.Environment["MSBUILDDISABLENODEREUSE"] = "1";
        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        Assert.True(process.WaitForExit(TimeSpan.FromMinutes(5)), "dotnet publish did not finish in five minutes");
        Assert.True(process.ExitCode == 0, $"dotnet publish failed:\n{stdout.Result}\n{stderr.Result}");
        return output;
    }
}
