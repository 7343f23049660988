using System.Diagnostics;
using System.Text;
using System.Text.RegularExpressions;

namespace GroundingWeb.Tests.Support;

/// <summary>
/// The app as an operator runs it: `dotnet GroundingWeb.dll` in a child process, from a build or
/// publish folder, on a free loopback port, with its own data folder. It can be killed with SIGKILL
/// and started again on the same data, which an in-process host cannot do.
/// </summary>
public sealed partial class AppProcess : IDisposable
{
    private readonly Process _process;
    private readonly StringBuilder _output = new();
    private readonly TaskCompletionSource<string> _listening = new(TaskCreationOptions.RunContinuationsAsynchronously);

    private AppProcess(Process process) => _process = process;

    /// <summary>Where the app wrote its address once Kestrel listens, e.g. http://127.0.0.1:41234.</summary>
    public string BaseUrl { get; private set; } = "";

    /// <summary>The one-time admin setup link the app prints when no admin exists (null otherwise).</summary>
    public string? SetupLink { get; private set; }

    /// <summary>Everything the app wrote to standard output and standard error so far.</summary>
    public string Output { get { lock (_output) { return _output.ToString(); } } }

    /// <summary>
    /// Starts the app in <paramref name="appFolder"/> (which holds GroundingWeb.dll) on the demo bundle and
    /// waits until it listens. Settings use configuration keys ("Data:Folder"); they become environment variables.
    /// </summary>
    public static async Task<AppProcess> StartAsync(string appFolder, string dataFolder, string environment = "Production",
        params (string Key, string Value)[] settings)
    {
        var start = new ProcessStartInfo("dotnet")
        {
            WorkingDirectory = appFolder, RedirectStandardOutput = true, RedirectStandardError = true,
        };
        start.ArgumentList.Add(Path.Combine(appFolder, "GroundingWeb.dll"));
        start.Environment["ASPNETCORE_ENVIRONMENT"] = environment;
        start.Environment["ASPNETCORE_URLS"] = "http://127.0.0.1:0";
        var defaults = new Dictionary<string, string>
        {
            ["Data:Folder"] = dataFolder,
            ["Inference:BundlePath"] = RepositoryPaths.DemoBundle,
            ["Inference:ExecutionProvider"] = "Cpu",
            ["Samples:Path"] = Path.GetDirectoryName(RepositoryPaths.Sample("chelsea.png"))!,
            ["Models:Folder"] = Path.GetDirectoryName(RepositoryPaths.DemoBundle)!,
        };
        foreach (var (key, value) in settings)
        {
            defaults[key] = value;
        }
        foreach (var (key, value) in defaults)
        {
            start.Environment[key.Replace(":", "__")] = value;
        }

        var app = new AppProcess(Process.Start(start)!);
        app._process.OutputDataReceived += (_, line) => app.Record(line.Data);
        app._process.ErrorDataReceived += (_, line) => app.Record(line.Data);
        app._process.BeginOutputReadLine();
        app._process.BeginErrorReadLine();
        _ = app._process.WaitForExitAsync().ContinueWith(_ => app._listening.TrySetException(
            new InvalidOperationException("the app exited before it listened:\n" + app.Output)), TaskScheduler.Default);

        var started = await Task.WhenAny(app._listening.Task, Task.Delay(TimeSpan.FromMinutes(2)));
        if (started != app._listening.Task)
        {
            app.Dispose();
            throw new TimeoutException("the app did not listen within two minutes:\n" + app.Output);
        }
        app.BaseUrl = await app._listening.Task;
        return app;
    }

    private void Record(string? line)
    {
        if (line is null)
        {
            return;
        }
        lock (_output)
        {
            _output.AppendLine(line);
        }
        if (SetupLinkLine().Match(line) is { Success: true } setup)
        {
            SetupLink = setup.Value;
        }
        if (ListeningLine().Match(line) is { Success: true } listening)
        {
            _listening.TrySetResult(listening.Groups[1].Value);
        }
    }

    /// <summary>SIGKILL, no shutdown: what a crash, an OOM kill or a pulled plug does.</summary>
    public void KillHard()
    {
        _process.Kill(entireProcessTree: true);
        _process.WaitForExit(30_000);
    }

    public bool HasExited => _process.HasExited;

    public void Dispose()
    {
        if (!_process.HasExited)
        {
            KillHard();
        }
        _process.Dispose();
    }

    [GeneratedRegex(@"Now listening on: (http://127\.0\.0\.1:\d+)")]
    private static partial Regex ListeningLine();

    [GeneratedRegex(@"http://\S+/account/setup\?token=[0-9a-f]+")]
    private static partial Regex SetupLinkLine();
}
