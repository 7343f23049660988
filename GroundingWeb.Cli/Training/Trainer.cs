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
    public required List<EpochRecord> History { get; init; }
    public required TrainingOptions Options { get; init; }
    public required FusionHeadConfig Config { get; init; }
}

internal sealed record TrainingSummary(List<EpochRecord> History, int BestEpoch, double BestValIou, long Steps, double Seconds, long SamplesSeen);

/// <summary>
/// Trains the fusion head on cached features (DESIGN.md section 7): DIoU loss, AdamW, cosine learning
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
        var firstEpoch = (state?.Epoch ?? 0) + 1;

        log.WriteLine($"train: {train.Count} samples ({stepsPerEpoch} steps of {options.BatchSize}), val: {val.Count}; {config.ParameterCount:N0} parameters; " +
                      $"device {device.type.ToString().ToLowerInvariant()}, {options.Threads} thread(s)" + (state is null ? "" : $"; resuming after epoch {state.Epoch}"));
        log.WriteLine(TableHeader);
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
            for (var s = 0; s < stepsPerEpoch; s++)
            {
                cancellationToken.ThrowIfCancellationRequested();
                using var scope = NewDisposeScope();
                var start = s * options.BatchSize;
                using var batch = train.MakeBatch(order.AsSpan(start, Math.Min(options.BatchSize, train.Count - start)), device);
                var (diou, iou) = Step(model, optimizer, batch, LearningRateAt(step, totalSteps));
                // The table reports the DIoU part, comparable with the validation loss and the reference.
                lossSum += diou * batch.Size;
                iouSum += iou;
                step++;
                stepsRun++;
                samplesSeen += batch.Size;
                progress.Step(s + 1, lossSum / (start + batch.Size), start + batch.Size);
            }
            var (valLoss, valIou) = Evaluate(model, val, device);
            var record = new EpochRecord { Epoch = epoch, TrainLoss = lossSum / train.Count, TrainIou = iouSum / train.Count, ValLoss = valLoss, ValIou = valIou };
            history.Add(record);
            log.WriteLine(Row(record));
            AtomicFile.WriteAllText(Path.Combine(runDirectory, HistoryFile), JsonSerializer.Serialize(history, JsonOptions));
            if (valIou > bestIou)
            {
                (bestIou, bestEpoch) = (valIou, epoch);
                HeadCheckpoint.Write(Path.Combine(runDirectory, BestFile), model.ExportWeights(), Metadata(provenance, history, epoch));
            }
            SaveLast(runDirectory, model, optimizer, new TrainingState
            {
                Epoch = epoch, Step = step, BestValIou = bestIou, BestEpoch = bestEpoch, History = history, Options = options.Schedule, Config = config,
            }, provenance);
            if (epoch == stopAfterEpoch)
            {
                break;
            }
        }
        var seconds = clock.Elapsed.TotalSeconds;
        if (stepsRun > 0)
        {
            log.WriteLine($"best val IoU {bestIou:F4} at epoch {bestEpoch}; {stepsRun} steps in {seconds:F1} s: {stepsRun / seconds:F2} steps/s, {samplesSeen / seconds:F1} samples/s (including validation)");
        }
        return new TrainingSummary(history, bestEpoch, bestIou, stepsRun, seconds, samplesSeen);
    }

    public OptimizerHelper CreateOptimizer(FusionHeadModule model) =>
        optim.AdamW(model.parameters(), options.LearningRate, 0.9, 0.999, 1e-8, options.WeightDecay);

    /// <summary>
    /// One optimisation step on a batch: forward, loss, backward, AdamW. Returns the batch's mean DIoU loss
    /// and its summed IoU. <c>grounding bench</c> times exactly this.
    /// </summary>
    public (float Diou, float IouSum) Step(FusionHeadModule model, OptimizerHelper optimizer, FeatureBatch batch, double learningRate)
    {
        foreach (var group in optimizer.ParamGroups)
        {
            group.LearningRate = learningRate;
        }
        var predicted = model.call(batch.Image, batch.Text, batch.Mask);
        var diou = BoxLoss.DistanceIou(predicted, batch.Target);
        var loss = options.L1Weight > 0 ? diou + options.L1Weight * (predicted - batch.Target).abs().mean() : diou;
        optimizer.zero_grad();
        loss.backward();
        optimizer.step();
        return (diou.item<float>(), BoxLoss.Iou(predicted.detach(), batch.Target).sum().item<float>());
    }

    /// <summary>Mean DIoU loss and IoU over a split, in eval mode (no dropout), in order.</summary>
    public (double Loss, double Iou) Evaluate(FusionHeadModule model, FeatureDataset data, Device device)
    {
        model.eval();
        using var noGrad = no_grad();
        double lossSum = 0, iouSum = 0;
        var indices = Enumerable.Range(0, data.Count).ToArray();
        for (var start = 0; start < data.Count; start += options.BatchSize)
        {
            using var scope = NewDisposeScope();
            using var batch = data.MakeBatch(indices.AsSpan(start, Math.Min(options.BatchSize, data.Count - start)), device);
            var predicted = model.call(batch.Image, batch.Text, batch.Mask);
            lossSum += BoxLoss.DistanceIouPerBox(predicted, batch.Target).sum().item<float>();
            iouSum += BoxLoss.Iou(predicted, batch.Target).sum().item<float>();
        }
        return (lossSum / data.Count, iouSum / data.Count);
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
        $"{r.Epoch,5} | {r.TrainLoss,10:F4} | {r.TrainIou,9:F4} | {r.ValLoss,8:F4} | {r.ValIou,7:F4}";

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

    private static Dictionary<string, string> Metadata(IReadOnlyDictionary<string, string> provenance, List<EpochRecord> history, int epoch) =>
        new(provenance)
        {
            [HeadCheckpoint.EpochKey] = epoch.ToString(System.Globalization.CultureInfo.InvariantCulture),
            [HeadCheckpoint.HistoryKey] = JsonSerializer.Serialize(history, JsonOptions),
        };

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
