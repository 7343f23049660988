using System.Globalization;
using GroundingWeb.Inference.Geometry;

namespace GroundingWeb.Evaluation.Datasets;

/// <summary>The checks every reader applies before it yields a sample; each returns the skip reason or null.</summary>
internal static class SampleChecks
{
    /// <summary>How far (pixels) a box may reach past its image before the row is skipped: COCO boxes are rounded.</summary>
    public const float EdgeTolerance = 1f;

    public static string? CheckBox(Box box, int? imageWidth, int? imageHeight)
    {
        if (box.IsEmpty || !float.IsFinite(box.X1) || !float.IsFinite(box.Y1) || !float.IsFinite(box.X2) || !float.IsFinite(box.Y2))
        {
            return $"degenerate box {Describe(box)} (zero or negative size)";
        }

        if (imageWidth is int width && imageHeight is int height
            && (box.X1 < -EdgeTolerance || box.Y1 < -EdgeTolerance || box.X2 > width + EdgeTolerance || box.Y2 > height + EdgeTolerance))
        {
            return $"box {Describe(box)} lies outside its {width}x{height} image";
        }

        return null;
    }

    public static string? CheckImage(string imagePath, string root) => DatasetImages.Problem(imagePath, root);

    public static string Describe(Box box) => string.Create(CultureInfo.InvariantCulture, $"xyxy [{box.X1}, {box.Y1}, {box.X2}, {box.Y2}]");

    public static string Describe(IReadOnlyList<double> values) =>
        "[" + string.Join(", ", values.Select(v => v.ToString(CultureInfo.InvariantCulture))) + "]";
}
