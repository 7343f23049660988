using GroundingWeb.Evaluation;
using GroundingWeb.Shared;
using System.Diagnostics;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using GroundingWeb.Evaluation.Datasets;
using GroundingWeb.Inference.Imaging;
using GroundingWeb.Inference.Pipeline;

namespace GroundingWeb.Cli.Features;

internal sealed record FeatureExtractionResult(int Images, int Samples, int ShardsWritten, int ShardsSkipped, int SkippedImages, int SkippedSamples, double Seconds);

/// <summary>
/// Runs a bundle's frozen encoders over one split (DESIGN.md section 7): each image once, all of its
/// expressions in one text-encoder batch, tokens stored unpadded as float16 in safetensors shards of a
/// fixed number of images. Shards are written atomically; a restart skips the finished ones.
/// </summary>
internal sealed class FeatureExtractor(GroundingPipeline pipeline, TextWriter log)
{
    public const string IndexFile = "index.jsonl";
    private const int TextBatch = 64;

    public FeatureExtractionResult Run(IReadOnlyList<GroundingSample> samples, string dataset, string outDirectory, string split, int imagesPerShard, CancellationToken cancellationToken = default)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(imagesPerShard, 1);
        if (samples.Count == 0)
        {
            throw new InvalidDataException($"Split '{split}' of '{dataset}' holds no samples.");
        }
        var manifest = pipeline.Manifest;
        var splitDirectory = Path.Combine(outDirectory, split);
        Directory.CreateDirectory(splitDirectory);
        var images = samples.Select((s, i) => (s.ImagePath, Index: i)).GroupBy(s => s.ImagePath, StringComparer.Ordinal)
            .Select(g => (Path: g.Key, Samples: g.Select(s => s.Index).ToArray())).ToList();
        CheckPlan(splitDirectory, new FeaturePlan
        {
            BundleName = manifest.Name, BundleVersion = manifest.Version, Samples = samples.Count, Images = images.Count,
            ImagesPerShard = imagesPerShard, SamplesSha256 = Fingerprint(samples),
        });

        var shardCount = (images.Count + imagesPerShard - 1) / imagesPerShard;
        var clock = Stopwatch.StartNew();
        int written = 0, skippedShards = 0, doneImages = 0, doneSamples = 0;
        for (var shard = 0; shard < shardCount; shard++)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var name = ShardName(shard);
            var shardPath = Path.Combine(splitDirectory, name);
            var partPath = Path.Combine(splitDirectory, PartName(shard));
            if (File.Exists(shardPath) && File.Exists(partPath))
            {
                skippedShards++;
                log.WriteLine($"{split}: {name} is done, skipped");
                continue;
            }
            var first = shard * imagesPerShard;
            var group = images.GetRange(first, Math.Min(imagesPerShard, images.Count - first));
            var tensors = new List<SafeTensor>();
            var entries = new List<FeatureIndexEntry>();
            var j = 0;
            // The next images are read and decoded while the encoders run on this one.
            foreach (var (decoded, reason) in Prefetch.InOrder(group, g => Decode(g.Path, samples[g.Samples[0]]), cancellationToken: cancellationToken))
            {
                cancellationToken.ThrowIfCancellationRequested();
                var (imagePath, sampleIndices) = group[j];
                var imageName = $"image.{first + j}";
                j++;
                if (decoded is null)
                {
                    log.WriteLine($"warning: skipped {imagePath} ({sampleIndices.Length} samples): {reason}");
                    continue;
                }
                var tokens = pipeline.EncodeImage(decoded);
                tensors.Add(SafeTensor.FromFloats(imageName, [tokens.Count, tokens.Width], tokens.Tokens, half: true));
                EncodeTexts(samples, sampleIndices, tokens, name, imageName, tensors, entries);
                doneImages++;
                doneSamples += sampleIndices.Length;
            }
            // The index part lands first: a shard file without its part counts as unfinished and is redone.
            AtomicFile.WriteAllText(partPath, string.Concat(entries.Select(e => JsonSerializer.Serialize(e, FeaturesManifest.JsonLineOptions) + "\n")));
            SafeTensorsFile.Write(shardPath, tensors, new Dictionary<string, string>
            {
                ["format"] = "groundingweb-features", ["bundle"] = $"{manifest.Name} {manifest.Version}", ["split"] = split,
            });
            written++;
            var seconds = Math.Max(clock.Elapsed.TotalSeconds, 1e-9);
            log.WriteLine($"{split}: {name} ({shard + 1}/{shardCount}) {group.Count} images; {doneImages / seconds:F2} images/s, {doneSamples / seconds:F2} samples/s");
        }

        var (indexedImages, indexedSamples) = MergeIndex(splitDirectory, shardCount);
        var (badImages, badSamples) = (images.Count - indexedImages, samples.Count - indexedSamples);
        UpdateManifest(outDirectory, split, dataset, images.Count, samples.Count, shardCount, badImages, badSamples);
        return new FeatureExtractionResult(images.Count, samples.Count, written, skippedShards, badImages, badSamples, clock.Elapsed.TotalSeconds);
    }

    public static string ShardName(int shard) => $"shard-{shard:D5}.safetensors";

    private static string PartName(int shard) => $"shard-{shard:D5}.index.jsonl";

    /// <summary>The decoded image, or null and why it cannot be used.</summary>
    private RgbImageOrReason Decode(string imagePath, GroundingSample stated)
    {
        try
        {
            var decoded = ImageDecoder.Decode(File.ReadAllBytes(imagePath), pipeline.ImageLimits);
            // Boxes are in the pixels the dataset states; an image that decodes to another size (an EXIF
            // rotation the annotators did not see, a replaced file) would give wrong training targets.
            if ((stated.ImageWidth ?? decoded.Width) != decoded.Width || (stated.ImageHeight ?? decoded.Height) != decoded.Height)
            {
                return new(null, $"it decodes to {decoded.Width}x{decoded.Height} but the dataset states {stated.ImageWidth}x{stated.ImageHeight}");
            }
            return new(decoded, "");
        }
        catch (Exception ex) when (ex is ImageDecodeException or IOException or UnauthorizedAccessException)
        {
            return new(null, ex.Message);
        }
    }

    private readonly record struct RgbImageOrReason(RgbImage? Image, string Reason);

    private void EncodeTexts(IReadOnlyList<GroundingSample> samples, int[] sampleIndices, ImageTokens image, string shardName, string imageName,
        List<SafeTensor> tensors, List<FeatureIndexEntry> entries)
    {
        var textWidth = pipeline.Manifest.Text.Width;
        for (var start = 0; start < sampleIndices.Length; start += TextBatch)
        {
            var chunk = sampleIndices.Skip(start).Take(TextBatch).ToArray();
            var output = pipeline.EncodeText(chunk.Select(i => samples[i].Expression).ToList());
            for (var row = 0; row < chunk.Length; row++)
            {
                var sampleIndex = chunk[row];
                var sample = samples[sampleIndex];
                var length = output.Lengths[row];
                var textName = $"text.{sampleIndex}";
                // Targets live in [0,1] like the head's sigmoid output; readers already skip boxes that leave the image.
                var box = sample.Box.Clamp(image.ImageWidth, image.ImageHeight);
                tensors.Add(SafeTensor.FromFloats(textName, [length, textWidth], output.Of(row).Span, half: true));
                entries.Add(new FeatureIndexEntry
                {
                    Sample = sampleIndex, Shard = shardName, Image = imageName, Text = textName,
                    // A no-target sample keeps no box: training learns its presence, not a place.
                    Box = sample.HasTarget
                        ? [box.X1 / image.ImageWidth, box.Y1 / image.ImageHeight, box.X2 / image.ImageWidth, box.Y2 / image.ImageHeight]
                        : null,
                    Expression = sample.Expression, Kind = sample.Kind, Category = sample.Category,
                    ImagePath = sample.ImagePath, ImageWidth = image.ImageWidth, ImageHeight = image.ImageHeight,
                });
            }
        }
    }

    private static void CheckPlan(string splitDirectory, FeaturePlan plan)
    {
        var path = Path.Combine(splitDirectory, "plan.json");
        if (File.Exists(path))
        {
            var previous = JsonSerializer.Deserialize<FeaturePlan>(File.ReadAllText(path), FeaturesManifest.JsonOptions);
            if (previous != plan)
            {
                throw new InvalidOperationException(
                    $"'{splitDirectory}' holds an extraction of different samples, bundle or shard size ({path}); resume only the same command, or pick a new --out.");
            }
            return;
        }
        AtomicFile.WriteAllText(path, JsonSerializer.Serialize(plan, FeaturesManifest.JsonOptions));
    }

    private static string Fingerprint(IReadOnlyList<GroundingSample> samples)
    {
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        foreach (var s in samples)
        {
            hash.AppendData(Encoding.UTF8.GetBytes(s.HasTarget ? $"{s.ImagePath}\n{s.Expression}\n{s.Box}\n" : $"{s.ImagePath}\n{s.Expression}\nno target\n"));
        }
        return Convert.ToHexStringLower(hash.GetHashAndReset());
    }

    /// <summary>Concatenates the shards' index parts; returns how many images and samples they cover.</summary>
    private static (int Images, int Samples) MergeIndex(string splitDirectory, int shardCount)
    {
        var builder = new StringBuilder();
        var images = new HashSet<string>(StringComparer.Ordinal);
        var samples = 0;
        for (var shard = 0; shard < shardCount; shard++)
        {
            foreach (var line in File.ReadLines(Path.Combine(splitDirectory, PartName(shard))))
            {
                var entry = JsonSerializer.Deserialize<FeatureIndexEntry>(line, FeaturesManifest.JsonLineOptions)!;
                images.Add(entry.Image);
                samples++;
                builder.Append(line).Append('\n');
            }
        }
        AtomicFile.WriteAllText(Path.Combine(splitDirectory, IndexFile), builder.ToString());
        return (images.Count, samples);
    }

    private void UpdateManifest(string outDirectory, string split, string dataset, int images, int samples, int shards, int badImages, int badSamples)
    {
        var bundle = pipeline.Manifest;
        var existing = File.Exists(Path.Combine(outDirectory, FeaturesManifest.FileName)) ? FeaturesManifest.Read(outDirectory) : null;
        if (existing is not null && (existing.BundleName != bundle.Name || existing.BundleVersion != bundle.Version))
        {
            throw new InvalidOperationException(
                $"'{outDirectory}' holds features of bundle {existing.BundleName} {existing.BundleVersion}, not {bundle.Name} {bundle.Version}; use another --out.");
        }
        var splits = existing?.Splits ?? [];
        splits[split] = new FeatureSplit
        {
            Dataset = dataset, Images = images, Samples = samples, Shards = shards, SkippedImages = badImages, SkippedSamples = badSamples,
        };
        new FeaturesManifest
        {
            BundleName = bundle.Name, BundleVersion = bundle.Version, ImageTokens = bundle.Vision.Tokens, ImageDim = bundle.Vision.Width,
            TextDim = bundle.Text.Width, Splits = splits,
        }.Write(outDirectory);
    }
}
