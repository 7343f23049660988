using System.Text.Json;

namespace GroundingWeb.Shared;

/// <summary>
/// The JSON settings every file of ours uses (camelCase, web defaults); one instance each, since
/// System.Text.Json caches type metadata per options instance.
/// </summary>
internal static class GroundingJson
{
    /// <summary>Compact: JSON Lines rows and API payloads.</summary>
    public static JsonSerializerOptions Compact { get; } = new(JsonSerializerDefaults.Web);

    /// <summary>Indented: files a person may open (history, summaries, manifests of features).</summary>
    public static JsonSerializerOptions Indented { get; } = new(JsonSerializerDefaults.Web) { WriteIndented = true };
}
