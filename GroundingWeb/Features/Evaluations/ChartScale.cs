using System.Globalization;

namespace GroundingWeb.Features.Evaluations;

/// <summary>
/// MudChart spaces its y-axis ticks by a whole number of data units, which suits counts but not IoU or
/// accuracy in [0, 1]. Values are therefore plotted times <see cref="Factor"/> and the axis labels divide
/// again, written in the invariant culture.
/// </summary>
internal sealed record ChartScale(double Factor, int TickStep)
{
    private const int WantedTicks = 5;

    public static ChartScale For(IEnumerable<double> values)
    {
        var max = values.DefaultIfEmpty(0).Max();
        var factor = max <= 10 ? 100.0 : 1.0;
        return new ChartScale(factor, NiceStep(Math.Max(max, 1e-9) * factor / WantedTicks));
    }

    public double[] Apply(IEnumerable<double> values) => values.Select(v => v * Factor).ToArray();

    public Func<double, string> Labels(string format) => value => (value / Factor).ToString(format, CultureInfo.InvariantCulture);

    /// <summary>The smallest of 1, 2, 5, 10, 20, 50, ... that is at least <paramref name="step"/>.</summary>
    private static int NiceStep(double step)
    {
        for (var magnitude = 1; ; magnitude *= 10)
        {
            foreach (var candidate in new[] { 1, 2, 5 })
            {
                if (candidate * magnitude >= step)
                {
                    return candidate * magnitude;
                }
            }
        }
    }
}
