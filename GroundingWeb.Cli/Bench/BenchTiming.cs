using System.Diagnostics;

namespace GroundingWeb.Cli.Bench;

/// <summary>Milliseconds of repeated runs, summarised: the machine is shared and noisy, so min and median lead.</summary>
internal sealed record BenchTiming(int Runs, double MinMs, double MedianMs, double MeanMs, double P95Ms)
{
    public static BenchTiming Of(IEnumerable<double> milliseconds)
    {
        var ms = milliseconds.Order().ToList();
        if (ms.Count == 0)
        {
            throw new ArgumentException("A timing needs at least one run.", nameof(milliseconds));
        }
        double Percentile(double q) => ms[Math.Min(ms.Count - 1, (int)Math.Ceiling(q * ms.Count) - 1)];
        return new BenchTiming(ms.Count, Round(ms[0]), Round(Percentile(0.5)), Round(ms.Average()), Round(Percentile(0.95)));
    }

    /// <summary>Runs <paramref name="action"/> <paramref name="warmUp"/> times untimed, then <paramref name="iterations"/> times timed.</summary>
    public static List<(double Ms, T Result)> Sample<T>(int iterations, Func<T> action, int warmUp = 3)
    {
        for (var i = 0; i < warmUp; i++) action();
        var samples = new List<(double, T)>(iterations);
        for (var i = 0; i < iterations; i++)
        {
            var clock = Stopwatch.StartNew();
            var result = action();
            samples.Add((clock.Elapsed.TotalMilliseconds, result));
        }
        return samples;
    }

    public override string ToString() => $"min {MinMs,9:F2}  median {MedianMs,9:F2}  mean {MeanMs,9:F2}  p95 {P95Ms,9:F2} ms";

    private static double Round(double ms) => Math.Round(ms, 3);
}
