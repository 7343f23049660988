using GroundingWeb.Data;

namespace GroundingWeb.Features.History;

/// <summary>The History page's search and filters; empty fields do not filter.</summary>
public sealed record HistoryQuery
{
    public string? PromptContains { get; init; }
    public string? Model { get; init; }
    public string? User { get; init; }
    public DateOnly? From { get; init; }
    public DateOnly? To { get; init; }
    public ReviewState? ReviewState { get; init; }
    public int Page { get; init; }
    public int PageSize { get; init; } = 20;

    /// <summary>The filter value meaning "predictions made without signing in".</summary>
    public const string AnonymousUser = "(anonymous)";
}

public sealed record HistoryResults(IReadOnlyList<PredictionRecord> Items, int TotalCount);
