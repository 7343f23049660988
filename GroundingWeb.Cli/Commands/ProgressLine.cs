using System.Diagnostics;

namespace GroundingWeb.Cli.Commands;

/// <summary>
/// One progress line for long commands: a bar redrawn in place on a terminal, or a plain line at
/// most every <see cref="LineInterval"/> when output goes to a file or pipe (CI logs stay readable).
/// </summary>
internal sealed class ProgressLine(TextWriter output, bool interactive)
{
    private static readonly TimeSpan LineInterval = TimeSpan.FromSeconds(15);
    private static readonly TimeSpan RedrawInterval = TimeSpan.FromMilliseconds(200);
    private const int BarWidth = 30;
    private readonly Stopwatch _clock = Stopwatch.StartNew();
    private TimeSpan? _lastReport;

    /// <summary>Progress on stderr, so stdout keeps only the command's results.</summary>
    public static ProgressLine ForStandardError() => new(Console.Error, !Console.IsErrorRedirected);

    public TimeSpan Elapsed => _clock.Elapsed;

    /// <summary>Starts timing anew, e.g. for each epoch.</summary>
    public void Restart()
    {
        _clock.Restart();
        _lastReport = null;
    }

    public void Report(double fraction, string stats, bool last)
    {
        var elapsed = _clock.Elapsed;
        if (!last && _lastReport is { } previous && elapsed - previous < (interactive ? RedrawInterval : LineInterval))
        {
            return;
        }
        _lastReport = elapsed;
        if (interactive)
        {
            var filled = (int)Math.Round(BarWidth * Math.Clamp(fraction, 0, 1));
            output.Write($"\r[{new string('#', filled)}{new string('.', BarWidth - filled)}] {stats}   ");
            if (last)
            {
                // Clear the bar so whatever is printed next lands on a clean line.
                output.Write("\r" + new string(' ', BarWidth + stats.Length + 6) + "\r");
            }
        }
        else
        {
            output.WriteLine(stats);
        }
        output.Flush();
    }
}
