using System.Text.Json;
using System.Text.Json.Serialization;

namespace GroundingWeb.Tests.Text;

/// <summary>One line of Fixtures/tokenization/tokenization.jsonl: Hugging Face BertTokenizerFast's ids for a text.</summary>
public sealed record TokenizationCase(
    [property: JsonPropertyName("text")] string Text,
    [property: JsonPropertyName("ids")] int[] Ids,
    [property: JsonPropertyName("tokens")] string[] Tokens,
    [property: JsonPropertyName("category")] string Category);

public static class TokenizationFixture
{
    private static readonly Lazy<IReadOnlyList<TokenizationCase>> Lines = new(Load);

    public static IReadOnlyList<TokenizationCase> Cases => Lines.Value;

    /// <summary>
    /// Theory rows are (1-based line, category) rather than the texts themselves: several texts hold NUL and other
    /// control characters that test runners do not display or serialise reliably.
    /// </summary>
    public static TheoryData<int, string> LineNumbers()
    {
        var data = new TheoryData<int, string>();
        for (var i = 0; i < Cases.Count; i++)
        {
            data.Add(i + 1, Cases[i].Category);
        }

        return data;
    }

    private static IReadOnlyList<TokenizationCase> Load()
    {
        var path = Path.Combine(AppContext.BaseDirectory, "Fixtures", "tokenization", "tokenization.jsonl");
        return File.ReadLines(path)
            .Where(line => line.Length > 0)
            .Select(line => JsonSerializer.Deserialize<TokenizationCase>(line)
                ?? throw new InvalidDataException($"Bad fixture line in {path}: {line}"))
            .ToList();
    }
}
