namespace GroundingWeb.Cli.Commands;

/// <summary>
/// A one-line progress bar on a terminal; when output is redirected (CI logs), a plain line every
/// ten percent instead of carriage-return noise.
/// </summary>
internal sealed class ConsoleProgress(string label)
{
    private readonly System.Diagnostics.Stopwatch _clock = System.Diagnostics.Stopwatch.StartNew();
    private int _lastDecile = -1;
    private TimeSpan _lastDraw;

    public void Update(long done, long total, string detail = "")
    {
        var fraction = total == 0 ? 1 : (double)done / total;
        var rate = done / Math.Max(_clock.Elapsed.TotalSeconds, 1e-9);
        if (Console.IsErrorRedirected)
        {
            var decile = (int)(fraction * 10);
            if (decile == _lastDecile) return;
            _lastDecile = decile;
            Console.Error.WriteLine($"{label}: {done}/{total} ({fraction:P0}) {rate:F1}/s {detail}");
            return;
        }
        if (_clock.Elapsed - _lastDraw < TimeSpan.FromMilliseconds(100) && done < total) return;
        _lastDraw = _clock.Elapsed;
        const int width = 30;
        var filled = (int)(fraction * width);
        Console.Error.Write($"\r{label} [{new string('#', filled)}{new string('.', width - filled)}] {done}/{total} {rate:F1}/s {detail}   ");
    }

    public void Finish()
    {
        if (!Console.IsErrorRedirected) Console.Error.WriteLine();
    }
}
