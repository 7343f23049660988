using System.Text.Json;
using GroundingWeb.Cli.Features;
using static TorchSharp.torch;

namespace GroundingWeb.Cli.Training;

/// <summary>
/// One training batch: image tokens [B, N, Dv], padded text tokens [B, T, Dt], mask [B, T] (1 = token),
/// targets [B, 4] (the whole image for no-target samples: a placeholder that keeps the masked-out box terms finite), presence [B] (1 has a target, 0 refers to nothing) and
/// each sample's image index [B] (samples of one image are not each other's contrastive negatives).
/// </summary>
internal sealed class FeatureBatch(Tensor image, Tensor text, Tensor mask, Tensor target, Tensor present, Tensor imageIds, int positives) : IDisposable
{
    public Tensor Image { get; } = image;
    public Tensor Text { get; } = text;
    public Tensor Mask { get; } = mask;
    public Tensor Target { get; } = target;
    public Tensor Present { get; } = present;
    public Tensor ImageIds { get; } = imageIds;
    public int Size => (int)Target.shape[0];

    /// <summary>Samples with a target: the box loss and IoU are over these only.</summary>
    public int Positives { get; } = positives;

    public void Dispose()
    {
        Image.Dispose();
        Text.Dispose();
        Mask.Dispose();
        Target.Dispose();
        Present.Dispose();
        ImageIds.Dispose();
    }
}

/// <summary>
/// A whole split of cached features held in memory as float16 (image tokens once per image, text tokens
/// unpadded per sample); batches are assembled, padded and widened to float32 on demand.
/// </summary>
internal sealed class FeatureDataset : IDisposable
{
    private readonly Tensor[] _images;
    private readonly List<Half[]> _texts;
    private readonly List<int> _imageOf;
    private readonly List<float[]?> _boxes;
    private readonly List<string?> _categories;

    /// <param name="images">Per image: float16 tokens [N * Dv].</param>
    /// <param name="texts">Per sample: float16 tokens [T_i * Dt].</param>
    /// <param name="imageOf">Per sample: index into <paramref name="images"/>.</param>
    /// <param name="boxes">Per sample: normalised xyxy target, or null for a no-target sample.</param>
    /// <param name="categories">Per sample: the referred object's category where the dataset names it (for borrowed negatives).</param>
    public FeatureDataset(int imageTokens, int imageDim, int textDim, IReadOnlyList<Half[]> images, IReadOnlyList<Half[]> texts, IReadOnlyList<int> imageOf,
        IReadOnlyList<float[]?> boxes, IReadOnlyList<string?>? categories = null)
    {
        if (texts.Count != imageOf.Count || texts.Count != boxes.Count || (categories is not null && categories.Count != texts.Count))
        {
            throw new ArgumentException("Every sample needs text tokens, an image and a box (null for no target), and a category where categories are given.");
        }
        if (imageOf.Any(i => i < 0 || i >= images.Count))
        {
            throw new ArgumentException("A sample names an image that is not there.");
        }
        TorchRuntime.EnsureLoaded();
        ImageTokens = imageTokens;
        ImageDim = imageDim;
        TextDim = textDim;
        _images = images.Select((values, i) => values.Length == imageTokens * imageDim
            ? tensor(values, [imageTokens, imageDim])
            : throw new InvalidDataException($"Image {i} has {values.Length} values, not {imageTokens} x {imageDim}.")).ToArray();
        _texts = texts.Select((values, i) => values.Length > 0 && values.Length % textDim == 0
            ? values
            : throw new InvalidDataException($"Sample {i} has {values.Length} text values, not a positive multiple of {textDim}.")).ToList();
        _imageOf = imageOf.ToList();
        _boxes = boxes.ToList();
        _categories = categories?.ToList() ?? Enumerable.Repeat<string?>(null, texts.Count).ToList();
    }

    public int Count => _texts.Count;
    public int ImageCount => _images.Length;
    public int ImageOf(int sample) => _imageOf[sample];
    public bool HasTarget(int sample) => _boxes[sample] is not null;
    public string? CategoryOf(int sample) => _categories[sample];

    /// <summary>
    /// Adds a no-target sample: the text tokens of <paramref name="donor"/> (another sample's expression) paired
    /// with <paramref name="image"/>. The tokens are shared, not copied.
    /// </summary>
    public void AddNegative(int image, int donor)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(image);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(image, _images.Length);
        _texts.Add(_texts[donor]);
        _imageOf.Add(image);
        _boxes.Add(null);
        _categories.Add(null);
    }

    /// <summary>Samples whose expression refers to nothing in their image.</summary>
    public int NoTargetCount => _boxes.Count(b => b is null);
    public int ImageTokens { get; }
    public int ImageDim { get; }
    public int TextDim { get; }

    /// <summary>Reads <c>DIR/SPLIT/index.jsonl</c> and every shard it names, each shard once.</summary>
    public static FeatureDataset Load(string featuresDirectory, string split) => Load([(featuresDirectory, split)]);

    /// <summary>
    /// One dataset from several cached splits, in order (for example RefShapes train splits of two seeds).
    /// All must come from the same encoders: same bundle name and token dimensions.
    /// </summary>
    public static FeatureDataset Load(IReadOnlyList<(string Directory, string Split)> sources)
    {
        if (sources.Count == 0)
        {
            throw new ArgumentException("No feature splits to load.", nameof(sources));
        }
        var first = FeaturesManifest.Read(sources[0].Directory);
        var images = new List<Half[]>();
        var texts = new List<Half[]>();
        var imageOf = new List<int>();
        var boxes = new List<float[]?>();
        var categories = new List<string?>();
        foreach (var (directory, _) in sources)
        {
            var manifest = FeaturesManifest.Read(directory);
            if (manifest.BundleName != first.BundleName || (manifest.ImageTokens, manifest.ImageDim, manifest.TextDim) != (first.ImageTokens, first.ImageDim, first.TextDim))
            {
                throw new InvalidDataException(
                    $"'{Path.Combine(directory, FeaturesManifest.FileName)}' holds features of {manifest.BundleName} ({manifest.ImageTokens} x {manifest.ImageDim} image tokens, text {manifest.TextDim}), " +
                    $"but '{Path.Combine(sources[0].Directory, FeaturesManifest.FileName)}' of {first.BundleName} ({first.ImageTokens} x {first.ImageDim}, text {first.TextDim}): " +
                    "splits trained together must come from the same encoders.");
            }
        }
        foreach (var (directory, split) in sources)
        {
            ReadSplit(directory, split, images, texts, imageOf, boxes, categories);
        }
        return new FeatureDataset(first.ImageTokens, first.ImageDim, first.TextDim, images, texts, imageOf, boxes, categories);
    }

    private static void ReadSplit(string featuresDirectory, string split, List<Half[]> images, List<Half[]> texts, List<int> imageOf, List<float[]?> boxes, List<string?> categories)
    {
        var splitDirectory = Path.Combine(featuresDirectory, split);
        var indexPath = Path.Combine(splitDirectory, FeatureExtractor.IndexFile);
        if (!File.Exists(indexPath))
        {
            throw new FileNotFoundException($"'{indexPath}' does not exist: extract the split with `grounding features --split {split} --out {featuresDirectory}`.");
        }
        var entries = File.ReadLines(indexPath).Where(l => l.Length > 0)
            .Select(l => JsonSerializer.Deserialize<FeatureIndexEntry>(l, FeaturesManifest.JsonLineOptions)!).ToList();
        if (entries.Count == 0)
        {
            throw new InvalidDataException($"'{indexPath}' lists no samples.");
        }
        var splitTexts = new Half[entries.Count][];
        var splitImageOf = new int[entries.Count];
        var imageIndex = new Dictionary<(string, string), int>();
        foreach (var shard in entries.Select((e, i) => (e, i)).GroupBy(x => x.e.Shard))
        {
            var (tensors, _) = SafeTensorsFile.Read(Path.Combine(splitDirectory, shard.Key));
            foreach (var (entry, i) in shard)
            {
                if (!imageIndex.TryGetValue((shard.Key, entry.Image), out var image))
                {
                    image = images.Count;
                    images.Add(Get(tensors, shard.Key, entry.Image).ToHalves());
                    imageIndex[(shard.Key, entry.Image)] = image;
                }
                splitImageOf[i] = image;
                splitTexts[i] = Get(tensors, shard.Key, entry.Text).ToHalves();
            }
        }
        texts.AddRange(splitTexts);
        imageOf.AddRange(splitImageOf);
        boxes.AddRange(entries.Select(e => e.Box));
        categories.AddRange(entries.Select(e => string.IsNullOrWhiteSpace(e.Category) ? null : e.Category));
    }

    private static SafeTensor Get(Dictionary<string, SafeTensor> tensors, string shard, string name) =>
        tensors.TryGetValue(name, out var t) ? t : throw new InvalidDataException($"Shard '{shard}' has no tensor '{name}' that index.jsonl names.");

    private static readonly float[] WholeImage = [0, 0, 1, 1];

    public FeatureBatch MakeBatch(ReadOnlySpan<int> samples, Device device)
    {
        var b = samples.Length;
        var length = 0;
        foreach (var s in samples)
        {
            length = Math.Max(length, _texts[s].Length / TextDim);
        }
        var text = new float[b * length * TextDim];
        var mask = new long[b * length];
        var boxes = new float[b * 4];
        var present = new float[b];
        var imageIds = new long[b];
        var positives = 0;
        var picked = new Tensor[b];
        for (var row = 0; row < b; row++)
        {
            var s = samples[row];
            var tokens = _texts[s];
            var offset = row * length * TextDim;
            for (var k = 0; k < tokens.Length; k++)
            {
                text[offset + k] = (float)tokens[k];
            }
            mask.AsSpan(row * length, tokens.Length / TextDim).Fill(1);
            if (_boxes[s] is { } box)
            {
                box.CopyTo(boxes, row * 4);
                present[row] = 1;
                positives++;
            }
            else
            {
                // Masked out by presence 0, but multiplied by it: a degenerate zero box could make 0/0 and NaN * 0 is NaN.
                WholeImage.CopyTo(boxes, row * 4);
            }
            imageIds[row] = _imageOf[s];
            picked[row] = _images[_imageOf[s]];
        }
        using var stacked = stack(picked);
        return new FeatureBatch(
            stacked.to(ScalarType.Float32, device),
            On(tensor(text, [b, length, TextDim]), device),
            On(tensor(mask, [b, length]), device),
            On(tensor(boxes, [b, 4]), device),
            On(tensor(present, [b]), device),
            On(tensor(imageIds, [b]), device),
            positives);
    }

    private static Tensor On(Tensor values, Device device)
    {
        if (values.device_type == device.type)
        {
            return values;
        }
        using (values)
        {
            return values.to(device);
        }
    }

    public void Dispose()
    {
        foreach (var image in _images)
        {
            image.Dispose();
        }
    }
}
