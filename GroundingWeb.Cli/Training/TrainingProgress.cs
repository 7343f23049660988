using System.Diagnostics;

namespace GroundingWeb.Cli.Training;

/// <summary>
/// Step progress for one epoch: a bar redrawn in place on a terminal, or a plain line every
/// <see cref="LineInterval"/> when output goes to a file or pipe (so logs stay readable).
/// </summary>
internal sealed class TrainingProgress(TextWriter output, bool interactive)
{
    private static readonly TimeSpan LineInterval = TimeSpan.FromSeconds(15);
    private static readonly TimeSpan RedrawInterval = TimeSpan.FromMilliseconds(200);
    private readonly Stopwatch _clock = new();
    private TimeSpan _lastReport;
    private int _epoch, _epochs, _steps;

    public static TrainingProgress ForConsole() => new(Console.Out, !Console.IsOutputRedirected);

    public void StartEpoch(int epoch, int epochs, int steps)
    {
        (_epoch, _epochs, _steps) = (epoch, epochs, steps);
        _lastReport = TimeSpan.Zero;
        _clock.Restart();
    }

    /// <param name="samples">Samples seen so far in this epoch.</param>
    public void Step(int step, double meanLoss, long samples)
    {
        var elapsed = _clock.Elapsed;
        var last = step == _steps;
        if (!last && elapsed - _lastReport < (interactive ? RedrawInterval : LineInterval))
        {
            return;
        }
        _lastReport = elapsed;
        var rate = samples / Math.Max(elapsed.TotalSeconds, 1e-9);
        var stats = $"epoch {_epoch}/{_epochs} step {step}/{_steps} loss {meanLoss:F4} {rate:F1} samples/s {step / Math.Max(elapsed.TotalSeconds, 1e-9):F2} steps/s";
        if (interactive)
        {
            const int width = 30;
            var filled = (int)Math.Round(width * (double)step / _steps);
            output.Write($"\r[{new string('#', filled)}{new string('.', width - filled)}] {stats}   ");
            if (last)
            {
                // Clear the bar so the epoch table row lands on a clean line.
                output.Write("\r" + new string(' ', width + stats.Length + 6) + "\r");
            }
        }
        else
        {
            output.WriteLine(stats);
        }
        output.Flush();
    }
}
