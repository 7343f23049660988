using GroundingWeb.Cli.Commands;

namespace GroundingWeb.Cli.Training;

/// <summary>Step progress for one epoch: steps, mean loss and throughput on a <see cref="ProgressLine"/>.</summary>
internal sealed class TrainingProgress(TextWriter output, bool interactive)
{
    private readonly ProgressLine _line = new(output, interactive);
    private int _epoch, _epochs, _steps;

    public static TrainingProgress ForConsole() => new(Console.Out, !Console.IsOutputRedirected);

    public void StartEpoch(int epoch, int epochs, int steps)
    {
        (_epoch, _epochs, _steps) = (epoch, epochs, steps);
        _line.Restart();
    }

    /// <param name="samples">Samples seen so far in this epoch.</param>
    public void Step(int step, double meanLoss, long samples)
    {
        var seconds = Math.Max(_line.Elapsed.TotalSeconds, 1e-9);
        _line.Report((double)step / _steps,
            $"epoch {_epoch}/{_epochs} step {step}/{_steps} loss {meanLoss:F4} {samples / seconds:F1} samples/s {step / seconds:F2} steps/s",
            last: step == _steps);
    }
}
