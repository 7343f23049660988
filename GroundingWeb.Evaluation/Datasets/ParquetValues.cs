using System.Collections;
using System.Text;
using System.Text.Json;

namespace GroundingWeb.Evaluation.Datasets;

/// <summary>
/// Reads fields out of Parquet.Net's untyped rows: a row is a dictionary whose null fields are
/// absent; strings arrive as string at the top level but as <see cref="ReadOnlyMemory{T}"/> of char
/// inside lists; lists as <see cref="IList"/>; structs as dictionaries.
/// </summary>
internal static class ParquetValues
{
    public static object? Get(IDictionary<string, object> row, string key) => row.TryGetValue(key, out var value) ? value : null;

    public static string? Text(object? value) => value switch
    {
        string s => s,
        ReadOnlyMemory<char> memory => memory.ToString(),
        byte[] bytes => Encoding.UTF8.GetString(bytes),
        _ => null,
    };

    public static long? Long(object? value) => value switch
    {
        long l => l,
        int i => i,
        short s => s,
        uint u => u,
        double d when d == Math.Floor(d) && Math.Abs(d) < 9e15 => (long)d,
        _ => null,
    };

    /// <summary>A list of numbers as doubles; null when absent or when any item is not a number.</summary>
    public static double[]? Doubles(object? value)
    {
        if (value is not IList items)
        {
            return null;
        }

        var numbers = new double[items.Count];
        for (var i = 0; i < numbers.Length; i++)
        {
            if (Number(items[i]) is not double number)
            {
                return null;
            }

            numbers[i] = number;
        }

        return numbers;
    }

    private static double? Number(object? value) => value switch
    {
        double d => d,
        float f => f,
        long l => l,
        int i => i,
        _ => null,
    };

    public static long? Integer(JsonElement element, string name) =>
        element.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.Number && value.TryGetInt64(out var l) ? l : null;

    public static string? String(JsonElement element, string name) =>
        element.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;
}
