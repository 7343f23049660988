using System.ComponentModel;
using System.Diagnostics;
using System.Text.Json.Nodes;
using GroundingWeb.Authoring.Onnx;

namespace GroundingWeb.Cli.Bench;

/// <summary>The shapes the peer times: the bundle's head, its image tokens and the prompt's token count.</summary>
internal sealed record PeerShapes(FusionHeadConfig Head, int ImageTokens, int TextTokens, int TrainBatch, bool VitB16);

/// <summary>
/// Runs scripts/bench-pytorch.py (embedded in this tool, so it needs no checkout) under a Python with
/// PyTorch, as a user would run the model without GroundingWeb: eager mode, same shapes and thread count.
/// Its JSON document comes back as it printed it.
/// </summary>
internal static class PyTorchPeer
{
    private const string ScriptResource = "bench-pytorch.py";
    private static readonly TimeSpan Limit = TimeSpan.FromMinutes(30);

    public static JsonObject Run(string python, PeerShapes shapes, int threads, int iterations)
    {
        var script = Path.Combine(Directory.CreateTempSubdirectory("grounding-bench-pytorch-").FullName, ScriptResource);
        try
        {
            using (var resource = typeof(PyTorchPeer).Assembly.GetManifestResourceStream(ScriptResource)
                                  ?? throw new InvalidOperationException($"The {ScriptResource} resource is missing from this build."))
            using (var file = File.Create(script))
            {
                resource.CopyTo(file);
            }
            var head = shapes.Head;
            var arguments = new List<string>
            {
                script, "--threads", $"{threads}", "--iterations", $"{iterations}",
                "--image-tokens", $"{shapes.ImageTokens}", "--image-dim", $"{head.ImageDim}", "--text-tokens", $"{shapes.TextTokens}", "--text-dim", $"{head.TextDim}",
                "--model-dim", $"{head.ModelDim}", "--layers", $"{head.Layers}", "--heads", $"{head.Heads}", "--feed-forward", $"{head.FeedForward}",
                "--train-batch", $"{shapes.TrainBatch}",
            };
            if (!shapes.VitB16) arguments.Add("--no-vit");
            return Parse(Execute(python, arguments), python);
        }
        finally
        {
            Directory.Delete(Path.GetDirectoryName(script)!, recursive: true);
        }
    }

    private static string Execute(string python, List<string> arguments)
    {
        var start = new ProcessStartInfo(python, arguments) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        Process process;
        try
        {
            process = Process.Start(start)!;
        }
        catch (Win32Exception ex)
        {
            throw new InvalidOperationException($"--pytorch: cannot run '{python}' ({ex.Message}); install Debian's python3-torch and python3-numpy, or pass --python.");
        }
        using (process)
        {
            var stdout = process.StandardOutput.ReadToEndAsync();
            var stderr = process.StandardError.ReadToEndAsync();
            if (!process.WaitForExit(Limit))
            {
                process.Kill(entireProcessTree: true);
                throw new InvalidOperationException($"--pytorch: the PyTorch peer did not finish in {Limit.TotalMinutes:F0} minutes.");
            }
            if (process.ExitCode != 0)
            {
                var lines = stderr.Result.Split('\n', StringSplitOptions.RemoveEmptyEntries);
                throw new InvalidOperationException($"--pytorch: '{python}' exited with code {process.ExitCode}: {string.Join(" ", lines.TakeLast(3))}" +
                                                    (stderr.Result.Contains("No module named 'torch'", StringComparison.Ordinal) ? " (install Debian's python3-torch)" : ""));
            }
            return stdout.Result;
        }
    }

    private static JsonObject Parse(string stdout, string python)
    {
        try
        {
            return JsonNode.Parse(stdout) as JsonObject ?? throw new InvalidDataException("not an object");
        }
        catch (Exception ex) when (ex is System.Text.Json.JsonException or InvalidDataException)
        {
            throw new InvalidDataException($"--pytorch: '{python}' printed no JSON document ({ex.Message}).");
        }
    }

    /// <summary>The peer's median milliseconds for one of its entries, or null when it did not time it.</summary>
    public static double? MedianMs(JsonObject peer, string entry) =>
        peer[entry] is JsonObject timing && timing["medianMs"] is JsonValue value ? value.GetValue<double>() : null;
}
