using System.Collections;
using System.Globalization;
using System.Numerics;
using System.Text;

namespace GroundingWeb.Evaluation.Datasets;

/// <summary>
/// Reads fields out of what Razorvine's Unpickler returns: dicts as <see cref="IDictionary"/>, lists
/// as <see cref="IList"/>, Python 2 ints as int, long or <see cref="BigInteger"/>, Python 2 byte
/// strings as string (or byte[] when undecodable).
/// </summary>
internal static class PickleValues
{
    public static object? Get(IDictionary dictionary, string key) => dictionary.Contains(key) ? dictionary[key] : null;

    public static long? Long(object? value) => value switch
    {
        null => null,
        int i => i,
        long l => l,
        short s => s,
        byte b => b,
        BigInteger big when big >= long.MinValue && big <= long.MaxValue => (long)big,
        double d when d == Math.Floor(d) && Math.Abs(d) < 9e15 => (long)d,
        string s when long.TryParse(s, NumberStyles.Integer, CultureInfo.InvariantCulture, out var parsed) => parsed,
        _ => null,
    };

    public static string? Text(object? value) => value switch
    {
        string s => s,
        byte[] bytes => Encoding.UTF8.GetString(bytes),
        _ => null,
    };
}
