using System.Text.Json;
using System.Text.Json.Serialization;

namespace GroundingWeb.Evaluation.Datasets;

/// <summary>
/// The parts of a COCO instances.json the refer layout needs, indexed by id. Segmentations and
/// everything else are skipped by the streaming deserializer rather than held in memory.
/// </summary>
internal sealed class CocoInstances
{
    private CocoInstances(Dictionary<long, CocoImage> images, Dictionary<long, CocoAnnotation> annotations, Dictionary<long, string> categories)
    {
        Images = images;
        Annotations = annotations;
        Categories = categories;
    }

    public IReadOnlyDictionary<long, CocoImage> Images { get; }
    public IReadOnlyDictionary<long, CocoAnnotation> Annotations { get; }
    public IReadOnlyDictionary<long, string> Categories { get; }

    public static CocoInstances Load(string path)
    {
        DatasetLimits.CheckFileSize(path, DatasetLimits.MaxJsonBytes, "a COCO instances file");
        CocoFile? file;
        try
        {
            using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, bufferSize: 1 << 16);
            file = JsonSerializer.Deserialize<CocoFile>(stream);
        }
        catch (JsonException e)
        {
            throw new InvalidDataException($"{path} is not a valid COCO instances file (line {e.LineNumber + 1}): {e.Message}", e);
        }

        if (file?.Images is null || file.Annotations is null)
        {
            throw new InvalidDataException($"{path} has no 'images' or 'annotations' array: it is not a COCO instances file.");
        }

        var images = new Dictionary<long, CocoImage>(file.Images.Count);
        foreach (var image in file.Images)
        {
            images[image.Id] = image;
        }

        var annotations = new Dictionary<long, CocoAnnotation>(file.Annotations.Count);
        foreach (var annotation in file.Annotations)
        {
            annotations[annotation.Id] = annotation;
        }

        var categories = (file.Categories ?? []).ToDictionary(c => c.Id, c => c.Name ?? "");
        return new CocoInstances(images, annotations, categories);
    }

    private sealed record CocoFile(
        [property: JsonPropertyName("images")] List<CocoImage>? Images,
        [property: JsonPropertyName("annotations")] List<CocoAnnotation>? Annotations,
        [property: JsonPropertyName("categories")] List<CocoCategory>? Categories);

    private sealed record CocoCategory(
        [property: JsonPropertyName("id")] long Id,
        [property: JsonPropertyName("name")] string? Name);
}

internal sealed record CocoImage(
    [property: JsonPropertyName("id")] long Id,
    [property: JsonPropertyName("file_name")] string? FileName,
    [property: JsonPropertyName("width")] int? Width,
    [property: JsonPropertyName("height")] int? Height);

internal sealed record CocoAnnotation(
    [property: JsonPropertyName("id")] long Id,
    [property: JsonPropertyName("image_id")] long ImageId,
    [property: JsonPropertyName("bbox")] double[]? Bbox,
    [property: JsonPropertyName("category_id")] long? CategoryId);
