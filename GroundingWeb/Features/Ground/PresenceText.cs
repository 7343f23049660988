using System.Globalization;

namespace GroundingWeb.Features.Ground;

/// <summary>How pages write a prediction's presence score: "found 87 %", "not in this image 12 %", or nothing for a bundle without one.</summary>
internal static class PresenceText
{
    public static string Of(double? presence, bool? found) => presence is { } value
        ? $"{(found == false ? "not in this image" : "found")} {(value * 100).ToString("0", CultureInfo.InvariantCulture)} %"
        : "";
}
