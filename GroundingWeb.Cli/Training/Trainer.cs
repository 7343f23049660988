using GroundingWeb.Shared;
using System.Diagnostics;
using System.Text.Json;
using GroundingWeb.Cli.Features;
using GroundingWeb.Inference.Bundles;
using GroundingWeb.Authoring.Onnx;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace GroundingWeb.Cli.Training;

internal sealed record TrainingOptions
{
    public int Epochs { get; init; } = 10;
    public int BatchSize { get; init; } = 32;
    public double LearningRate { get; init; } = 1e-4;
    public double WeightDecay { get; init; } = 1e-4;
    public int Seed { get; init; } = 1;

    /// <summary>Linear warm-up steps before the cosine decay (0 = none).</summary>
    public int WarmupSteps { get; init; }

    public double Dropout { get; init; } = 0.1;

    /// <summary>
    /// Weight of an added L1 term on the box coordinates (0 = the reference's DIoU alone). DIoU gives a
    /// degenerate or inverted box no gradient to grow from, which makes training from scratch slow;
    /// DETR-style L1 + IoU losses do not have that problem.
    /// </summary>
    public double L1Weight { get; init; }

    /// <summary>Weight of the binary cross-entropy on presence over all samples (a head with a presence head only).</summary>
    public double PresenceWeight { get; init; } = 1;

    /// <summary>
    /// Weight of a CLIP-style contrastive term (0 = none): each positive's projected text [CLS] token against
    /// the mean projected image token of every image in the batch, its own image the right answer (InfoNCE,
    /// temperature <see cref="ContrastiveTemperature"/>; other expressions of the same image are not counted as wrong).
    /// </summary>
    public double ContrastiveWeight { get; init; }

    public const double ContrastiveTemperature = 0.07;

    /// <summary>
    /// Train the presence head alone: every other weight stays as it came (from --init), so boxes and their
    /// metrics are exactly the starting head's. For adding "not in this image" to a head that is already good.
    /// </summary>
    public bool PresenceOnly { get; init; }
    public string Device { get; init; } = "cpu";
    public int Threads { get; init; } = 1;

    /// <summary>The settings a resumed run must share with the interrupted one (device and threads may change).</summary>
    [System.Text.Json.Serialization.JsonIgnore]
    public TrainingOptions Schedule => this with { Device = "", Threads = 0 };

    public void Validate()
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(Epochs, 1, "--epochs");
        ArgumentOutOfRangeException.ThrowIfLessThan(BatchSize, 1, "--batch");
        ArgumentOutOfRangeException.ThrowIfLessThan(Threads, 1, "--threads");
        ArgumentOutOfRangeException.ThrowIfNegative(WarmupSteps, "--warmup-steps");
        ArgumentOutOfRangeException.ThrowIfNegative(L1Weight, "--l1-weight");
        ArgumentOutOfRangeException.ThrowIfNegative(PresenceWeight, "--presence-weight");
        ArgumentOutOfRangeException.ThrowIfNegative(ContrastiveWeight, "--contrastive-weight");
        if (PresenceOnly && ContrastiveWeight > 0)
        {
            throw new ArgumentException("--presence-only trains the presence head alone; the contrastive term trains the projections: use one or the other.");
        }
        if (!(LearningRate > 0) || WeightDecay < 0 || Dropout is < 0 or >= 1)
        {
            throw new ArgumentException($"--lr must be positive, --weight-decay not negative and --dropout in [0, 1) (got {LearningRate}, {WeightDecay}, {Dropout}).");
        }
    }
}

/// <summary>What the last checkpoint remembers besides weights and optimizer state.</summary>
internal sealed record TrainingState
{
    public required int Epoch { get; init; }
    public required long Step { get; init; }
    public required double BestValIou { get; init; }
    public required int BestEpoch { get; init; }

    /// <summary>The best epoch's selection score (<see cref="Trainer.SelectionScore"/>); absent in runs from before presence.</summary>
    public double? BestSelection { get; init; }
    public required List<EpochRecord> History { get; init; }
    public required TrainingOptions Options { get; init; }
    public required FusionHeadConfig Config { get; init; }
}

internal sealed record TrainingSummary(List<EpochRecord> History, int BestEpoch, double BestValIou, long Steps, double Seconds, long SamplesSeen);

/// <summary>One step's numbers: the mean DIoU over the batch's positives, their summed IoU and count, and the presence loss (0 without a presence head).</summary>
internal readonly record struct StepResult(float Diou, float IouSum, int Positives, float PresenceLoss);

/// <summary>A split's numbers in eval mode: DIoU and IoU over positives; presence accuracy at 0.5, AUROC and the best threshold over all samples (null without a presence head).</summary>
internal sealed record SplitScores(double Loss, double Iou, double? PresenceAccuracy, double? PresenceAuroc, double? PresenceThreshold);

/// <summary>
/// Trains the fusion head on cached features (DESIGN.md section 7): DIoU loss on samples with a target,
/// binary cross-entropy on presence over all samples for a head with a presence head (and an optional
/// contrastive term), AdamW, cosine learning
/// rate over all steps, best checkpoint by val IoU, a resumable last checkpoint after every epoch.
/// Every epoch reseeds torch and the shuffle from (seed, epoch), so a resumed run repeats an
/// uninterrupted one.
/// </summary>
internal sealed class Trainer(FusionHeadConfig config, TrainingOptions options, TextWriter log, TrainingProgress progress)
{
    public const string BestFile = "best.safetensors";
    public const string HistoryFile = "history.json";
    public const string LastFile = "last.json";
    private const string TableHeader = "Epoch | Train Loss | Train IoU | Val Loss | Val IoU";
    private const string PresenceHeader = " | Val Presence Acc | Val AUROC";
    private static readonly JsonSerializerOptions JsonOptions = GroundingJson.Indented;

    /// <param name="provenance">Stored in the checkpoints' metadata (trained_on, command).</param>
    /// <param name="stopAfterEpoch">Stop (as an interruption would) after this epoch; the schedule still spans all epochs.</param>
    /// <param name="initialWeights">
    /// Start from these weights (a fine-tune or warm restart) instead of a random initialisation; the optimizer
    /// and the schedule start afresh. A resumed run takes its weights from its own checkpoint instead.
    /// </param>
    public TrainingSummary Run(FeatureDataset train, FeatureDataset val, string runDirectory, bool resume,
        IReadOnlyDictionary<string, string> provenance, int? stopAfterEpoch = null, FusionHeadWeights? initialWeights = null,
        CancellationToken cancellationToken = default)
    {
        options.Validate();
        if (options.PresenceOnly && !config.Presence)
        {
            throw new ArgumentException("--presence-only trains the presence head, and this head has none: add --presence.");
        }
        CheckDimensions(train, "train");
        CheckDimensions(val, "val");
        TorchRuntime.EnsureLoaded();
        set_num_threads(options.Threads);
        var device = ResolveDevice(options.Device);
        Directory.CreateDirectory(runDirectory);

        manual_seed(options.Seed);
        using var model = new FusionHeadModule(config, options.Dropout);
        if (initialWeights is not null)
        {
            model.LoadWeights(initialWeights);
        }
        model.to(device);
        using var optimizer = CreateOptimizer(model);

        var stepsPerEpoch = (train.Count + options.BatchSize - 1) / options.BatchSize;
        var totalSteps = (long)stepsPerEpoch * options.Epochs;
        var state = resume ? Restore(runDirectory, model, optimizer) : null;
        var history = state?.History ?? [];
        var (bestIou, bestEpoch, step) = (state?.BestValIou ?? double.NegativeInfinity, state?.BestEpoch ?? 0, state?.Step ?? 0L);
        var bestSelection = state is null ? double.NegativeInfinity : state.BestSelection ?? state.BestValIou;
        var firstEpoch = (state?.Epoch ?? 0) + 1;

        log.WriteLine($"train: {train.Count} samples ({stepsPerEpoch} steps of {options.BatchSize}), val: {val.Count}; {config.ParameterCount:N0} parameters; " +
                      $"device {device.type.ToString().ToLowerInvariant()}, {options.Threads} thread(s)" + (state is null ? "" : $"; resuming after epoch {state.Epoch}"));
        if (train.NoTargetCount + val.NoTargetCount > 0)
        {
            log.WriteLine(config.Presence
                ? $"no-target samples: {train.NoTargetCount} train, {val.NoTargetCount} val (presence loss on all samples, box loss on the others)"
                : $"no-target samples: {train.NoTargetCount} train, {val.NoTargetCount} val, left out of the box loss; add --presence to learn from them");
        }
        log.WriteLine(TableHeader + (config.Presence ? PresenceHeader : ""));
        history.ForEach(r => log.WriteLine(Row(r)));

        var clock = Stopwatch.StartNew();
        long samplesSeen = 0, stepsRun = 0;
        for (var epoch = firstEpoch; epoch <= options.Epochs; epoch++)
        {
            manual_seed(EpochSeed(options.Seed, epoch));
            var order = Shuffle(train.Count, new Random(EpochSeed(options.Seed, epoch)));
            model.train();
            progress.StartEpoch(epoch, options.Epochs, stepsPerEpoch);
            double lossSum = 0, iouSum = 0;
            var positivesSeen = 0;
            for (var s = 0; s < stepsPerEpoch; s++)
            {
                cancellationToken.ThrowIfCancellationRequested();
                using var scope = NewDisposeScope();
                var start = s * options.BatchSize;
                using var batch = train.MakeBatch(order.AsSpan(start, Math.Min(options.BatchSize, train.Count - start)), device);
                var result = Step(model, optimizer, batch, LearningRateAt(step, totalSteps));
                // The table reports the DIoU part over positives, comparable with the validation loss and the reference.
                lossSum += result.Diou * result.Positives;
                iouSum += result.IouSum;
                positivesSeen += result.Positives;
                step++;
                stepsRun++;
                samplesSeen += batch.Size;
                progress.Step(s + 1, lossSum / Math.Max(1, positivesSeen), start + batch.Size);
            }
            var scores = Evaluate(model, val, device);
            var record = new EpochRecord
            {
                Epoch = epoch, TrainLoss = lossSum / Math.Max(1, positivesSeen), TrainIou = iouSum / Math.Max(1, positivesSeen), ValLoss = scores.Loss, ValIou = scores.Iou,
                ValPresenceAccuracy = scores.PresenceAccuracy, ValPresenceAuroc = scores.PresenceAuroc,
            };
            var valIou = scores.Iou;
            history.Add(record);
            log.WriteLine(Row(record));
            AtomicFile.WriteAllText(Path.Combine(runDirectory, HistoryFile), JsonSerializer.Serialize(history, JsonOptions));
            if (SelectionScore(scores) is var selection && selection > bestSelection)
            {
                (bestIou, bestEpoch, bestSelection) = (valIou, epoch, selection);
                HeadCheckpoint.Write(Path.Combine(runDirectory, BestFile), model.ExportWeights(), Metadata(provenance, history, epoch, scores.PresenceThreshold));
            }
            SaveLast(runDirectory, model, optimizer, new TrainingState
            {
                Epoch = epoch, Step = step, BestValIou = bestIou, BestEpoch = bestEpoch, BestSelection = bestSelection, History = history, Options = options.Schedule, Config = config,
            }, provenance);
            if (epoch == stopAfterEpoch)
            {
                break;
            }
        }
        var seconds = clock.Elapsed.TotalSeconds;
        if (stepsRun > 0)
        {
            var chosenBy = options.PresenceOnly ? $"best val AUROC {bestSelection:F4} (val IoU {bestIou:F4}, unchanged)" : $"best val IoU {bestIou:F4}";
            log.WriteLine($"{chosenBy} at epoch {bestEpoch}; {stepsRun} steps in {seconds:F1} s: {stepsRun / seconds:F2} steps/s, {samplesSeen / seconds:F1} samples/s (including validation)");
        }
        return new TrainingSummary(history, bestEpoch, bestIou, stepsRun, seconds, samplesSeen);
    }

    /// <summary>
    /// What picks the best checkpoint: val IoU, except when only the presence head trains, where IoU cannot
    /// change (it would keep epoch 1 for ever) and val AUROC decides (presence accuracy on a split with one class).
    /// </summary>
    public double SelectionScore(SplitScores scores) =>
        options.PresenceOnly ? scores.PresenceAuroc ?? scores.PresenceAccuracy ?? scores.Iou : scores.Iou;

    public OptimizerHelper CreateOptimizer(FusionHeadModule model)
    {
        if (!options.PresenceOnly)
        {
            return optim.AdamW(model.parameters(), options.LearningRate, 0.9, 0.999, 1e-8, options.WeightDecay);
        }
        var presence = new List<Parameter>();
        foreach (var (name, parameter) in model.named_parameters())
        {
            var trainable = name.StartsWith("presence.", StringComparison.Ordinal);
            parameter.requires_grad = trainable;
            if (trainable) presence.Add(parameter);
        }
        return optim.AdamW(presence, options.LearningRate, 0.9, 0.999, 1e-8, options.WeightDecay);
    }

    /// <summary>
    /// One optimisation step on a batch: forward, loss, backward, AdamW. Returns the batch's mean DIoU loss
    /// and its summed IoU. <c>grounding bench</c> times exactly this.
    /// </summary>
    public StepResult Step(FusionHeadModule model, OptimizerHelper optimizer, FeatureBatch batch, double learningRate)
    {
        foreach (var group in optimizer.ParamGroups)
        {
            group.LearningRate = learningRate;
        }
        using var outputs = model.Predict(batch.Image, batch.Text, batch.Mask);
        var predicted = outputs.Boxes;
        // Box terms over the positives only: a no-target sample has no box to learn.
        var positives = Math.Max(1, batch.Positives);
        var diou = (BoxLoss.DistanceIouPerBox(predicted, batch.Target) * batch.Present).sum() / positives;
        // With the presence head alone in training, the box terms are reported, not learned from.
        var loss = options.PresenceOnly ? tensor(0f, device: predicted.device) : diou;
        if (options.L1Weight > 0 && !options.PresenceOnly)
        {
            loss = loss + options.L1Weight * ((predicted - batch.Target).abs().mean([1]) * batch.Present).sum() / positives;
        }
        Tensor? presenceLoss = null;
        if (outputs.PresenceLogits is { } logits)
        {
            presenceLoss = nn.functional.binary_cross_entropy_with_logits(logits.squeeze(1), batch.Present);
            loss = loss + options.PresenceWeight * presenceLoss;
        }
        if (options.ContrastiveWeight > 0 && batch.Positives > 0 && !options.PresenceOnly)
        {
            loss = loss + options.ContrastiveWeight * Contrastive(outputs, batch);
        }
        optimizer.zero_grad();
        loss.backward();
        optimizer.step();
        return new StepResult(
            batch.Positives == 0 ? 0 : diou.item<float>(),
            (BoxLoss.Iou(predicted.detach(), batch.Target) * batch.Present).sum().item<float>(),
            batch.Positives,
            presenceLoss?.item<float>() ?? 0);
    }

    /// <summary>InfoNCE of each positive's text [CLS] over the batch's images; other samples of its own image are masked out.</summary>
    private static Tensor Contrastive(HeadOutputs outputs, FeatureBatch batch)
    {
        var text = nn.functional.normalize(outputs.TextClass, p: 2, dim: 1);
        var image = nn.functional.normalize(outputs.ImageMean, p: 2, dim: 1);
        var similarity = text.matmul(image.t()) / TrainingOptions.ContrastiveTemperature;
        var sameImage = batch.ImageIds.unsqueeze(1).eq(batch.ImageIds.unsqueeze(0));
        var self = eye(batch.Size, dtype: ScalarType.Bool, device: similarity.device);
        similarity = similarity.masked_fill(sameImage.logical_and(self.logical_not()), -1e9);
        var own = similarity.log_softmax(1).diagonal();
        return -(own * batch.Present).sum() / batch.Positives;
    }

    /// <summary>DIoU loss and IoU over a split's positives and, for a presence head, presence accuracy and AUROC over all; eval mode, in order.</summary>
    public SplitScores Evaluate(FusionHeadModule model, FeatureDataset data, Device device)
    {
        model.eval();
        using var noGrad = no_grad();
        double lossSum = 0, iouSum = 0;
        var positives = 0;
        var presence = new List<(bool Positive, double Score)>();
        var indices = Enumerable.Range(0, data.Count).ToArray();
        for (var start = 0; start < data.Count; start += options.BatchSize)
        {
            using var scope = NewDisposeScope();
            using var batch = data.MakeBatch(indices.AsSpan(start, Math.Min(options.BatchSize, data.Count - start)), device);
            using var outputs = model.Predict(batch.Image, batch.Text, batch.Mask);
            lossSum += (BoxLoss.DistanceIouPerBox(outputs.Boxes, batch.Target) * batch.Present).sum().item<float>();
            iouSum += (BoxLoss.Iou(outputs.Boxes, batch.Target) * batch.Present).sum().item<float>();
            positives += batch.Positives;
            if (outputs.PresenceLogits is { } logits)
            {
                var scores = logits.squeeze(1).sigmoid().cpu().data<float>().ToArray();
                var present = batch.Present.cpu().data<float>().ToArray();
                presence.AddRange(scores.Select((score, i) => (present[i] > 0.5f, (double)score)));
            }
        }
        if (presence.Count == 0)
        {
            return new SplitScores(lossSum / Math.Max(1, positives), iouSum / Math.Max(1, positives), null, null, null);
        }
        var accuracy = presence.Count(p => p.Score >= 0.5 == p.Positive) / (double)presence.Count;
        return new SplitScores(lossSum / Math.Max(1, positives), iouSum / Math.Max(1, positives), accuracy,
            Evaluation.Metrics.PresenceMetrics.Auroc(presence), Evaluation.Metrics.PresenceMetrics.BestThreshold(presence));
    }

    public double LearningRateAt(long step, long totalSteps)
    {
        var warmup = Math.Min(options.WarmupSteps, totalSteps);
        if (step < warmup)
        {
            return options.LearningRate * (step + 1) / warmup;
        }
        var progress = (double)(step - warmup) / Math.Max(1, totalSteps - warmup);
        return options.LearningRate * 0.5 * (1 + Math.Cos(Math.PI * progress));
    }

    public static string Row(EpochRecord r) =>
        $"{r.Epoch,5} | {r.TrainLoss,10:F4} | {r.TrainIou,9:F4} | {r.ValLoss,8:F4} | {r.ValIou,7:F4}" +
        (r.ValPresenceAccuracy is { } accuracy ? $" | {accuracy,16:F4} | {r.ValPresenceAuroc?.ToString("F4", System.Globalization.CultureInfo.InvariantCulture) ?? "-",9}" : "");

    public static Device ResolveDevice(string name)
    {
        TorchRuntime.EnsureLoaded();
        return name.ToLowerInvariant() switch
        {
            "cpu" => CPU,
            "cuda" when cuda.is_available() => CUDA,
            "cuda" => throw new InvalidOperationException(
                "--device cuda: CUDA is not available to TorchSharp here. This build references libtorch-cpu-linux-x64; a CUDA build needs " +
                "the libtorch-cuda-12.8-linux-x64 package (TorchSharp-cuda-linux) instead and an NVIDIA GPU with its driver. Use --device cpu meanwhile."),
            _ => throw new ArgumentException($"--device must be cpu or cuda, not '{name}'."),
        };
    }

    private void CheckDimensions(FeatureDataset data, string what)
    {
        if (data.Count == 0)
        {
            throw new InvalidDataException($"The {what} split holds no samples.");
        }
        if (data.ImageDim != config.ImageDim || data.TextDim != config.TextDim)
        {
            throw new InvalidDataException($"The {what} features are {data.ImageDim} (image) x {data.TextDim} (text) wide but the head expects {config.ImageDim} x {config.TextDim}.");
        }
    }

    private static int EpochSeed(int seed, int epoch) => (int)((seed * 1_000_003L + epoch * 7_919L) & int.MaxValue);

    private static int[] Shuffle(int count, Random random)
    {
        var order = Enumerable.Range(0, count).ToArray();
        for (var i = count - 1; i > 0; i--)
        {
            var j = random.Next(i + 1);
            (order[i], order[j]) = (order[j], order[i]);
        }
        return order;
    }

    private static Dictionary<string, string> Metadata(IReadOnlyDictionary<string, string> provenance, List<EpochRecord> history, int epoch, double? presenceThreshold = null)
    {
        var metadata = new Dictionary<string, string>(provenance)
        {
            [HeadCheckpoint.EpochKey] = epoch.ToString(System.Globalization.CultureInfo.InvariantCulture),
            [HeadCheckpoint.HistoryKey] = JsonSerializer.Serialize(history, JsonOptions),
        };
        if (presenceThreshold is { } threshold)
        {
            // Chosen on val (best balanced accuracy); the exported bundle's presence threshold.
            metadata[HeadCheckpoint.PresenceThresholdKey] = threshold.ToString("R", System.Globalization.CultureInfo.InvariantCulture);
        }
        return metadata;
    }

    private static void SaveLast(string runDirectory, FusionHeadModule model, OptimizerHelper optimizer, TrainingState state, IReadOnlyDictionary<string, string> provenance)
    {
        var name = $"checkpoint-epoch-{state.Epoch:D4}";
        var final = Path.Combine(runDirectory, name);
        var temporary = final + ".tmp";
        if (Directory.Exists(temporary)) Directory.Delete(temporary, recursive: true);
        Directory.CreateDirectory(temporary);
        HeadCheckpoint.Write(Path.Combine(temporary, "model.safetensors"), model.ExportWeights(), Metadata(provenance, state.History, state.Epoch));
        optimizer.save_state_dict(Path.Combine(temporary, "optimizer.bin"));
        File.WriteAllText(Path.Combine(temporary, "state.json"), JsonSerializer.Serialize(state, JsonOptions));
        if (Directory.Exists(final)) Directory.Delete(final, recursive: true);
        Directory.Move(temporary, final);
        // last.json switches atomically to the complete new folder; only then do older ones go.
        AtomicFile.WriteAllText(Path.Combine(runDirectory, LastFile), JsonSerializer.Serialize(new { epoch = state.Epoch, directory = name }, JsonOptions));
        foreach (var old in Directory.EnumerateDirectories(runDirectory, "checkpoint-epoch-*").Where(d => Path.GetFileName(d) != name))
        {
            Directory.Delete(old, recursive: true);
        }
    }

    private TrainingState Restore(string runDirectory, FusionHeadModule model, OptimizerHelper optimizer)
    {
        var pointer = Path.Combine(runDirectory, LastFile);
        if (!File.Exists(pointer))
        {
            throw new FileNotFoundException($"--resume: '{pointer}' does not exist; nothing to resume in '{runDirectory}'.");
        }
        var directory = Path.Combine(runDirectory, JsonDocument.Parse(File.ReadAllText(pointer)).RootElement.GetProperty("directory").GetString()!);
        var state = JsonSerializer.Deserialize<TrainingState>(File.ReadAllText(Path.Combine(directory, "state.json")), JsonOptions)!;
        if (state.Config != config || state.Options != options.Schedule)
        {
            throw new InvalidOperationException(
                $"--resume: '{runDirectory}' was trained with {JsonSerializer.Serialize(state.Options)} and head {state.Config.ToJson()}; " +
                "resume with the same settings (device and threads may differ), or start a new --out.");
        }
        var (weights, _) = HeadCheckpoint.Read(Path.Combine(directory, "model.safetensors"));
        model.LoadWeights(weights);
        optimizer.load_state_dict(Path.Combine(directory, "optimizer.bin"));
        return state;
    }
}
