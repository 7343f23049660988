using GroundingWeb.Shared;
using System.Text.Json;
using GroundingWeb.Inference.Bundles;
using GroundingWeb.Authoring.Onnx;

namespace GroundingWeb.Cli.Training;

/// <summary>
/// Assembles a bundle from a trained head checkpoint and an encoder bundle: fusion.onnx from the
/// checkpoint, bundle.json from the encoder bundle's manifest (same vision/text sections and sources)
/// marked trained, with provenance from the checkpoint's metadata. Encoder files that have a
/// <c>source</c> are left to be materialised on first load; the others are copied.
/// </summary>
internal static class BundleExporter
{
    public const string FusionFile = "fusion.onnx";

    public static BundleManifest Export(string checkpoint, string encoderBundle, string outDirectory, string? name, string? version, double? presenceThreshold = null)
    {
        if (presenceThreshold is { } chosen && !(chosen is > 0 and < 1))
        {
            throw new ArgumentException($"--presence-threshold must be a probability strictly between 0 and 1 (got {chosen}).");
        }
        var (weights, metadata) = HeadCheckpoint.Read(checkpoint);
        var source = BundleManifest.Read(encoderBundle);
        var config = weights.Config;
        if (presenceThreshold is not null && !config.Presence)
        {
            throw new ArgumentException($"--presence-threshold: the head in '{checkpoint}' has no presence output, so there is nothing to threshold (train it with --presence).");
        }
        if (source.Vision.Width != config.ImageDim || source.Text.Width != config.TextDim)
        {
            throw new InvalidDataException(
                $"The checkpoint's head takes image tokens of {config.ImageDim} and text tokens of {config.TextDim}, but '{encoderBundle}' produces {source.Vision.Width} and {source.Text.Width}: export with the encoders the features were made with.");
        }
        if (Path.GetFullPath(encoderBundle) == Path.GetFullPath(outDirectory))
        {
            throw new ArgumentException("--out must differ from --encoders: export writes a new bundle.");
        }
        Directory.CreateDirectory(outDirectory);
        var copied = new List<string>();
        copied.AddRange(CopyUnlessSourced(encoderBundle, outDirectory, source.Vision.File, source.Vision.Source, model: true));
        copied.AddRange(CopyUnlessSourced(encoderBundle, outDirectory, source.Text.File, source.Text.Source, model: true));
        copied.AddRange(CopyUnlessSourced(encoderBundle, outDirectory, source.Text.Tokenizer.Vocab, source.Text.Tokenizer.Source, model: false));
        FusionHeadOnnxWriter.Write(Path.Combine(outDirectory, FusionFile), config, weights);
        copied.Add(FusionFile);
        var (imageSide, promptSide) = FusionHeadSplit.WriteBeside(Path.Combine(outDirectory, FusionFile));
        copied.Add(Path.GetFileName(imageSide));
        copied.Add(Path.GetFileName(promptSide));

        // The run's history.json beside the checkpoint covers every epoch; the checkpoint's own copy
        // stops at the epoch it was saved in.
        var runHistory = Path.Combine(Path.GetDirectoryName(Path.GetFullPath(checkpoint))!, Trainer.HistoryFile);
        var historyJson = File.Exists(runHistory) ? File.ReadAllText(runHistory) : metadata.GetValueOrDefault(HeadCheckpoint.HistoryKey);
        var history = historyJson is null
            ? null
            : JsonSerializer.Deserialize<List<EpochRecord>>(historyJson, GroundingJson.Compact);
        var epoch = metadata.GetValueOrDefault(HeadCheckpoint.EpochKey, "?");
        var manifest = source with
        {
            Name = name ?? source.Name,
            Version = version ?? TrainedVersion(source.Version),
            Trained = true,
            Description = $"{source.Description?.Replace("untrained random weights", "weights trained by `grounding train`", StringComparison.Ordinal)}".Trim(),
            Fusion = source.Fusion with
            {
                File = FusionFile, ImageSide = Path.GetFileName(imageSide), PromptSide = Path.GetFileName(promptSide),
                Presence = PresenceFor(config, presenceThreshold ?? RecordedThreshold(checkpoint, metadata)),
            },
            // A bundle that records its files' checksums keeps doing so, with the new head's.
            Files = source.Files is null ? null : Bundles.BundleFileCopier.Checksums(outDirectory, copied),
            Provenance = new Provenance
            {
                TrainedOn = metadata.GetValueOrDefault(HeadCheckpoint.TrainedOnKey),
                Notes = $"Fusion head {config.ToJson()} from {Path.GetFileName(checkpoint)} (the run's best epoch, {epoch}); trained with: " +
                        $"{metadata.GetValueOrDefault(HeadCheckpoint.CommandKey, "(command not recorded)")}",
                History = history,
            },
        };
        BundleManifest.Write(outDirectory, manifest);
        return manifest;
    }

    /// <summary>
    /// The manifest's presence section for a head with a presence head, at <paramref name="threshold"/>; 0.5 where
    /// none was chosen (a head that was not trained here, for example an imported state dict).
    /// </summary>
    internal static PresenceManifest? PresenceFor(FusionHeadConfig? config, double? threshold) =>
        config is { Presence: true }
            ? new PresenceManifest { Output = FusionHeadConfig.PresenceOutput, Kind = "logit", Threshold = threshold ?? 0.5 }
            : null;

    /// <summary>The threshold training chose on val and kept in the checkpoint; a damaged value is an error, not a quiet 0.5.</summary>
    private static double? RecordedThreshold(string checkpoint, Dictionary<string, string> metadata)
    {
        if (metadata.GetValueOrDefault(HeadCheckpoint.PresenceThresholdKey) is not { } recorded)
        {
            return null;
        }
        return double.TryParse(recorded, System.Globalization.NumberStyles.Float, System.Globalization.CultureInfo.InvariantCulture, out var chosen) && chosen is > 0 and < 1
            ? chosen
            : throw new InvalidDataException(
                $"'{checkpoint}' records the presence threshold '{recorded}' ({HeadCheckpoint.PresenceThresholdKey}), which is not a probability between 0 and 1: give one with --presence-threshold.");
    }

    private static string TrainedVersion(string version)
    {
        var trimmed = version.Replace("-untrained", "", StringComparison.Ordinal);
        return trimmed == version ? $"{version}+trained" : trimmed;
    }

    private static IReadOnlyList<string> CopyUnlessSourced(string from, string to, string file, FileSource? source, bool model)
    {
        if (source is not null)
        {
            return [];
        }
        var path = Path.Combine(from, file);
        if (!File.Exists(path))
        {
            throw new FileNotFoundException($"'{path}' is named by the encoder bundle's manifest, has no source to materialise it from, and is missing.");
        }
        // A model's external data files (DINOv3's model.onnx_data) go with it.
        return model ? Bundles.BundleFileCopier.CopyModel(path, to, file) : [Bundles.BundleFileCopier.Copy(path, to, file)];
    }
}
