using System.Collections;
using System.Globalization;
using System.Text;
using System.Text.Json;

namespace GroundingWeb.Inference.Datasets;

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

    public static double[]? Doubles(object? value) => value switch
    {
        double[] array => array,
        IEnumerable items and not string => items.Cast<object?>().Select(Number).ToArray() is var numbers && numbers.All(n => n.HasValue)
            ? numbers.Select(n => n!.Value).ToArray()
            : null,
        _ => null,
    };

    private static double? Number(object? value) => value switch
    {
        double d => d,
        float f => f,
        long l => l,
        int i => i,
        _ => null,
    };

    public static double? Number(JsonElement element, string name) =>
        element.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.Number ? value.GetDouble() : null;

    public static long? Integer(JsonElement element, string name) =>
        element.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.Number && value.TryGetInt64(out var l) ? l : null;

    public static string? String(JsonElement element, string name) =>
        element.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;

    public static string Format(double value) => value.ToString(CultureInfo.InvariantCulture);
}
