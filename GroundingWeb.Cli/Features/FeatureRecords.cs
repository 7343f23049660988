using GroundingWeb.Shared;
using System.Text.Json;

namespace GroundingWeb.Cli.Features;

/// <summary>One line of <c>DIR/SPLIT/index.jsonl</c>: where a sample's cached tokens are and what its target is.</summary>
internal sealed record FeatureIndexEntry
{
    public required int Sample { get; init; }
    public required string Shard { get; init; }
    public required string Image { get; init; }
    public required string Text { get; init; }

    /// <summary>Target box xyxy normalised by the decoded image's size (the fusion head's output space); null for a no-target sample.</summary>
    [System.Text.Json.Serialization.JsonIgnore(Condition = System.Text.Json.Serialization.JsonIgnoreCondition.Never)]
    public required float[]? Box { get; init; }

    public required string Expression { get; init; }
    public string? Kind { get; init; }
    public string? Category { get; init; }
    public required string ImagePath { get; init; }
    public required int ImageWidth { get; init; }
    public required int ImageHeight { get; init; }
}

/// <summary><c>DIR/features.json</c>: which encoders made the cache, their dimensions, and what each split holds.</summary>
internal sealed record FeaturesManifest
{
    public required string BundleName { get; init; }
    public required string BundleVersion { get; init; }
    public required int ImageTokens { get; init; }
    public required int ImageDim { get; init; }
    public required int TextDim { get; init; }
    public string DType { get; init; } = "F16";
    public Dictionary<string, FeatureSplit> Splits { get; init; } = [];

    public static readonly JsonSerializerOptions JsonOptions = GroundingJson.Indented;

    /// <summary>For JSON Lines files: one object per line.</summary>
    public static readonly JsonSerializerOptions JsonLineOptions = GroundingJson.Compact;

    public const string FileName = "features.json";

    public static FeaturesManifest Read(string directory)
    {
        var path = Path.Combine(directory, FileName);
        if (!File.Exists(path))
        {
            throw new FileNotFoundException($"'{path}' does not exist: run `grounding features` into '{directory}' first.");
        }
        return JsonSerializer.Deserialize<FeaturesManifest>(File.ReadAllText(path), JsonOptions)
               ?? throw new InvalidDataException($"{path} holds no JSON object.");
    }

    public void Write(string directory) => AtomicFile.WriteAllText(Path.Combine(directory, FileName), JsonSerializer.Serialize(this, JsonOptions));
}

internal sealed record FeatureSplit
{
    public required string Dataset { get; init; }
    public required int Images { get; init; }
    public required int Samples { get; init; }
    public required int Shards { get; init; }
    public int SkippedImages { get; init; }
    public int SkippedSamples { get; init; }
}

/// <summary><c>DIR/SPLIT/plan.json</c>: what a (possibly interrupted) extraction was asked to do, checked on restart.</summary>
internal sealed record FeaturePlan
{
    public required string BundleName { get; init; }
    public required string BundleVersion { get; init; }
    public required int Samples { get; init; }
    public required int Images { get; init; }
    public required int ImagesPerShard { get; init; }
    public required string SamplesSha256 { get; init; }
}
