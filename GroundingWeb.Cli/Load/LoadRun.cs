using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Net;
using SixLabors.ImageSharp;
using SixLabors.ImageSharp.PixelFormats;

namespace GroundingWeb.Cli.Load;

/// <summary>One request's outcome.</summary>
internal readonly record struct LoadSample(int Status, double Ms, bool DistinctImage);

/// <summary>Latency of admitted requests and what became of the others.</summary>
internal sealed record LoadReport(
    string Url, int Clients, double Seconds, int Requests, int Admitted, int Refused503, int RateLimited429, int OtherErrors,
    double RefusedShare, double AdmittedP50Ms, double AdmittedP95Ms, double AdmittedP99Ms, double RequestsPerSecond,
    int DistinctImagesSent, IReadOnlyList<RssSample> ServerRss, IReadOnlyDictionary<string, int> OtherErrorKinds);

/// <summary>The server's resident memory once so many distinct images had been sent.</summary>
internal sealed record RssSample(int DistinctImages, long RssMegabytes);

/// <summary>
/// <c>grounding load</c>: a bounded load on a running app's POST /api/v1/ground from loopback only.
/// Clients loop until the deadline, each with one request in flight; a share of the requests send an
/// image the server has not seen (generated here), the rest one that it has (the cache's path).
/// </summary>
internal static class LoadRun
{
    public static async Task<LoadReport> RunAsync(Uri url, int clients, TimeSpan duration, int distinctImages, double distinctShare,
        int? serverPid, TextWriter log, CancellationToken cancellationToken)
    {
        if (!url.IsLoopback)
        {
            throw new ArgumentException($"--url must be a loopback address (127.0.0.1, ::1 or localhost), not {url.Host}: this tool loads only this machine.");
        }
        var images = Enumerable.Range(0, distinctImages).Select(Image).ToArray();
        var repeated = Image(-1);
        var next = -1;
        var checkpoints = new SortedSet<int> { 200, 600, distinctImages };
        var rss = new ConcurrentBag<RssSample>();
        var samples = new ConcurrentBag<LoadSample>();
        var errors = new ConcurrentDictionary<string, int>();
        using var http = new HttpClient { BaseAddress = url, Timeout = TimeSpan.FromSeconds(60) };
        var clock = Stopwatch.StartNew();
        var deadline = clock.Elapsed + duration;
        log.WriteLine($"load: {clients} clients on {url} for {duration.TotalSeconds:F0} s, {distinctImages} distinct images...");

        async Task Client(int id)
        {
            var random = new Random(id);
            while (clock.Elapsed < deadline && !cancellationToken.IsCancellationRequested)
            {
                var distinct = random.NextDouble() < distinctShare;
                var index = distinct ? Interlocked.Increment(ref next) : -1;
                var bytes = index >= 0 && index < images.Length ? images[index] : repeated;
                distinct = index >= 0 && index < images.Length;
                using var form = new MultipartFormDataContent
                {
                    { new ByteArrayContent(bytes), "image", "load.png" },
                    { new StringContent("the bright square"), "prompt" },
                };
                var started = clock.Elapsed;
                int status;
                try
                {
                    using var response = await http.PostAsync("/api/v1/ground", form, cancellationToken);
                    status = (int)response.StatusCode;
                }
                catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException)
                {
                    status = 0;
                    errors.AddOrUpdate(ex.GetType().Name, 1, (_, n) => n + 1);
                }
                samples.Add(new LoadSample(status, (clock.Elapsed - started).TotalMilliseconds, distinct));
                if (distinct && serverPid is { } pid && checkpoints.Contains(index + 1))
                {
                    rss.Add(new RssSample(index + 1, ServerRssMegabytes(pid)));
                }
            }
        }

        await Task.WhenAll(Enumerable.Range(0, clients).Select(Client));
        var seconds = clock.Elapsed.TotalSeconds;
        var all = samples.ToList();
        var admitted = all.Where(s => s.Status == 200).Select(s => s.Ms).Order().ToList();
        foreach (var other in all.Where(s => s.Status is not (0 or 200 or 503 or 429)))
        {
            errors.AddOrUpdate($"HTTP {other.Status}", 1, (_, n) => n + 1);
        }
        double Percentile(double p) => admitted.Count == 0 ? 0 : Math.Round(admitted[Math.Min(admitted.Count - 1, (int)Math.Ceiling(p * admitted.Count) - 1)], 1);
        var refused = all.Count(s => s.Status == 503);
        return new LoadReport(url.ToString(), clients, Math.Round(seconds, 1), all.Count, admitted.Count, refused, all.Count(s => s.Status == 429),
            errors.Values.Sum(), Math.Round(all.Count == 0 ? 0 : (double)refused / all.Count, 4), Percentile(0.5), Percentile(0.95), Percentile(0.99),
            Math.Round(all.Count / seconds, 2), Math.Min(next + 1, images.Length), rss.OrderBy(r => r.DistinctImages).ToList(),
            new SortedDictionary<string, int>(errors, StringComparer.Ordinal));
    }

    /// <summary>A 224x168 PNG no other index gives: noise from the index's seed and a bright square.</summary>
    private static byte[] Image(int index)
    {
        var random = new Random(index + 12345);
        using var image = new Image<Rgb24>(224, 168);
        for (var y = 0; y < image.Height; y++)
        {
            for (var x = 0; x < image.Width; x++)
            {
                var inside = x is >= 80 and < 140 && y is >= 50 and < 110;
                image[x, y] = inside ? new Rgb24(250, 220, 40) : new Rgb24((byte)random.Next(256), (byte)random.Next(256), (byte)random.Next(256));
            }
        }
        using var stream = new MemoryStream();
        image.SaveAsPng(stream);
        return stream.ToArray();
    }

    /// <summary>VmRSS of a process, from /proc (Linux); -1 where it cannot be read.</summary>
    private static long ServerRssMegabytes(int pid)
    {
        try
        {
            var line = File.ReadLines($"/proc/{pid}/status").FirstOrDefault(l => l.StartsWith("VmRSS:", StringComparison.Ordinal));
            return line is null ? -1 : long.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], CultureInfo.InvariantCulture) / 1024;
        }
        catch (IOException)
        {
            return -1;
        }
    }
}
