using System.CommandLine;
using System.Text.Json;
using GroundingWeb.Cli.Load;

namespace GroundingWeb.Cli.Commands;

/// <summary><c>grounding load</c>: bounded load on a running app, loopback only (scripts/load-test.sh starts one).</summary>
internal static class LoadCommand
{
    public static Command Create()
    {
        var url = new Option<string>("--url") { DefaultValueFactory = _ => "http://127.0.0.1:5000", Description = "The app's address; loopback only." };
        var clients = new Option<int>("--clients") { DefaultValueFactory = _ => 50, Description = "Concurrent clients, one request in flight each." };
        var seconds = new Option<int>("--seconds") { DefaultValueFactory = _ => 120, Description = "How long the clients run (they stop by themselves)." };
        var distinct = new Option<int>("--distinct-images") { DefaultValueFactory = _ => 600, Description = "Images the server has not seen, sent first come first served." };
        var share = new Option<double>("--distinct-share") { DefaultValueFactory = _ => 0.5, Description = "Share of requests that send a new image (the rest repeat one)." };
        var pid = new Option<int?>("--server-pid") { Description = "The app's process id: its resident memory is read from /proc at 200 and 600 distinct images." };
        var json = new Option<bool>("--json") { Description = "Print one JSON document on standard output." };
        var command = new Command("load", "Load a running app's POST /api/v1/ground from loopback: admitted latency (p50/p95/p99), 503 refusals, other errors, server memory.")
        {
            url, clients, seconds, distinct, share, pid, json,
        };
        command.SetAction((parse, cancellationToken) => Task.FromResult(CliErrors.Run(() =>
        {
            if (parse.GetValue(clients) is < 1 or > 1000 || parse.GetValue(seconds) is < 1 or > 3600 || parse.GetValue(distinct) < 0 || parse.GetValue(share) is < 0 or > 1)
            {
                throw new ArgumentException("--clients must be 1-1000, --seconds 1-3600, --distinct-images not negative and --distinct-share between 0 and 1.");
            }
            if (!Uri.TryCreate(parse.GetValue(url), UriKind.Absolute, out var address))
            {
                throw new ArgumentException($"--url '{parse.GetValue(url)}' is not an absolute URL.");
            }
            var log = parse.GetValue(json) ? Console.Error : Console.Out;
            var report = LoadRun.RunAsync(address, parse.GetValue(clients), TimeSpan.FromSeconds(parse.GetValue(seconds)), parse.GetValue(distinct),
                parse.GetValue(share), parse.GetValue(pid), log, cancellationToken).GetAwaiter().GetResult();
            if (parse.GetValue(json))
            {
                Console.WriteLine(JsonSerializer.Serialize(report, Shared.GroundingJson.Indented));
            }
            else
            {
                Console.WriteLine($"load: {report.Requests} requests in {report.Seconds} s ({report.RequestsPerSecond}/s) from {report.Clients} clients");
                Console.WriteLine($"  admitted {report.Admitted}: p50 {report.AdmittedP50Ms} ms, p95 {report.AdmittedP95Ms} ms, p99 {report.AdmittedP99Ms} ms");
                Console.WriteLine($"  refused with 503: {report.Refused503} ({report.RefusedShare:P1}); rate-limited 429: {report.RateLimited429}; other errors: {report.OtherErrors}");
                foreach (var (kind, count) in report.OtherErrorKinds) Console.WriteLine($"    {kind}: {count}");
                foreach (var r in report.ServerRss) Console.WriteLine($"  server RSS after {r.DistinctImages} distinct images: {r.RssMegabytes} MB");
            }
            return report.OtherErrors == 0 ? 0 : 1;
        })));
        return command;
    }
}
