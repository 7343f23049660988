namespace GroundingWeb.Evaluation.Datasets;

/// <summary>
/// What a reader collects while it walks its source: the samples of the requested split, the rows
/// it had to skip (with reasons) and every split name it saw, so that an unknown split can be
/// answered with the list of splits present.
/// </summary>
internal sealed class DatasetReadSink(string? requestedSplit)
{
    private readonly List<GroundingSample> _samples = [];
    private readonly List<SkippedRow> _skipped = [];
    private readonly SortedSet<string> _splitsSeen = new(StringComparer.Ordinal);

    public IReadOnlyCollection<string> SplitsSeen => _splitsSeen;

    /// <summary>Notes the split of a source row; true when the caller should go on and read the row.</summary>
    public bool Wants(string split)
    {
        _splitsSeen.Add(split);
        return requestedSplit is null || string.Equals(split, requestedSplit, StringComparison.Ordinal);
    }

    public void Add(GroundingSample sample)
    {
        if (_samples.Count >= DatasetLimits.MaxSamples)
        {
            throw new InvalidDataException($"The dataset holds more than {DatasetLimits.MaxSamples:N0} samples, the most one read takes.");
        }
        _samples.Add(sample);
    }

    public void Skip(string file, long row, string reason) => _skipped.Add(new SkippedRow(file, row, reason));

    public DatasetReadResult ToResult() => new() { Samples = _samples, Skipped = _skipped };
}
