using GroundingWeb.Data;
using Microsoft.EntityFrameworkCore;

namespace GroundingWeb.Features.History;

/// <summary>The filters History and the review queue share, translated to SQL; empty values do not filter.</summary>
public static class PredictionFilters
{
    public static IQueryable<PredictionRecord> Filter(this IQueryable<PredictionRecord> rows,
        string? promptContains, string? model, string? user, DateOnly? from, DateOnly? to)
    {
        if (!string.IsNullOrWhiteSpace(promptContains))
        {
            // Sqlite's LIKE is case-insensitive for ASCII, which is what a search box should be.
            var pattern = "%" + EscapeLike(promptContains.Trim()) + "%";
            rows = rows.Where(p => EF.Functions.Like(p.Prompt, pattern, "\\"));
        }
        if (!string.IsNullOrEmpty(model))
        {
            rows = rows.Where(p => p.ModelName == model);
        }
        if (user == HistoryQuery.AnonymousUser)
        {
            rows = rows.Where(p => p.UserName == null);
        }
        else if (!string.IsNullOrEmpty(user))
        {
            rows = rows.Where(p => p.UserName == user);
        }
        if (from is { } first)
        {
            var start = new DateTimeOffset(first.ToDateTime(TimeOnly.MinValue), TimeSpan.Zero);
            rows = rows.Where(p => p.CreatedAt >= start);
        }
        if (to is { } last)
        {
            var end = new DateTimeOffset(last.AddDays(1).ToDateTime(TimeOnly.MinValue), TimeSpan.Zero);
            rows = rows.Where(p => p.CreatedAt < end);
        }
        return rows;
    }

    private static string EscapeLike(string text) =>
        text.Replace("\\", "\\\\").Replace("%", "\\%").Replace("_", "\\_");
}
