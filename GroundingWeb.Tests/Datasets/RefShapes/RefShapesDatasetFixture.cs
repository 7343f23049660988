using System.Text.Json;
using GroundingWeb.Evaluation.Datasets;
using GroundingWeb.Evaluation.RefShapes;
using GroundingWeb.Tests.Support;

namespace GroundingWeb.Tests.Datasets.RefShapes;

/// <summary>A small RefShapes dataset written once for all the tests that read one.</summary>
public sealed class RefShapesDatasetFixture : IDisposable
{
    internal static readonly RefShapesOptions Options = new(Seed: 1, Images: 40, ValFraction: 0.2, TestAFraction: 0.2, TestBFraction: 0.2);

    private readonly TempFolder _temp = new();

    public RefShapesDatasetFixture()
    {
        Summary = RefShapesWriter.Write(Folder, Options, force: false);
        Records = RefShapesGenerator.Splits.ToDictionary(s => s, s => ReadJsonl(Path.Combine(Folder, $"{s}.jsonl")));
    }

    public string Folder => _temp.Path;

    internal RefShapesSummary Summary { get; }

    public Dictionary<string, List<JsonLinesRecord>> Records { get; }

    public static List<JsonLinesRecord> ReadJsonl(string path) =>
        File.ReadLines(path).Select(l => JsonSerializer.Deserialize<JsonLinesRecord>(l, JsonSerializerOptions.Web)!).ToList();

    public void Dispose() => _temp.Dispose();
}
