using GroundingWeb.Evaluation.Datasets;

namespace GroundingWeb.Cli.Features;

/// <summary>Reads the samples of one split through the shared dataset readers, reporting skipped rows.</summary>
internal static class SampleSource
{
    public static IReadOnlyList<GroundingSample> Read(string path, DatasetFormat format, string split, string? imageFolder = null)
    {
        var data = DatasetReader.Read(path, format, split, imageFolder);
        foreach (var skipped in data.Skipped.Take(5))
        {
            Console.Error.WriteLine($"skipped {skipped.File} row {skipped.Row}: {skipped.Reason}");
        }
        if (data.Skipped.Count > 5)
        {
            Console.Error.WriteLine($"... and {data.Skipped.Count - 5} more skipped rows");
        }
        return data.Samples;
    }
}
