using System.CommandLine;
using GroundingWeb.Cli.Features;
using GroundingWeb.Cli.Training;
using GroundingWeb.Authoring.Onnx;

namespace GroundingWeb.Cli.Commands;

/// <summary><c>grounding train</c>: trains the fusion head on cached features.</summary>
internal static class TrainCommand
{
    public static Command Create()
    {
        var features = new Option<string>("--features") { Description = "Feature folder written by `grounding features`.", Required = true };
        var extraFeatures = new Option<string[]>("--extra-features")
        {
            Description = "Another feature folder (same encoders) whose train split is added to the training set; repeatable.",
        };
        var trainSplit = new Option<string>("--train-split") { DefaultValueFactory = _ => "train" };
        var valSplit = new Option<string>("--val-split") { DefaultValueFactory = _ => "val" };
        var output = new Option<string>("--out") { Description = "Run folder: best.safetensors, history.json, last checkpoint.", Required = true };
        var epochs = new Option<int>("--epochs") { DefaultValueFactory = _ => 10 };
        var batch = new Option<int>("--batch") { DefaultValueFactory = _ => 32 };
        var lr = new Option<double>("--lr") { DefaultValueFactory = _ => 1e-4 };
        var weightDecay = new Option<double>("--weight-decay") { DefaultValueFactory = _ => 1e-4 };
        var warmup = new Option<int>("--warmup-steps") { Description = "Linear warm-up steps before the cosine decay.", DefaultValueFactory = _ => 0 };
        var seed = new Option<int>("--seed") { DefaultValueFactory = _ => 1 };
        var dropout = new Option<double>("--dropout") { Description = "Dropout in the decoder layers while training (the reference: 0.1).", DefaultValueFactory = _ => 0.1 };
        var l1Weight = new Option<double>("--l1-weight") { Description = "Add this weight times the L1 distance of the box coordinates to the DIoU loss (0 = DIoU alone, as the reference).", DefaultValueFactory = _ => 0 };
        var modelDim = new Option<int>("--model-dim") { DefaultValueFactory = _ => 192 };
        var layers = new Option<int>("--layers") { DefaultValueFactory = _ => 3 };
        var heads = new Option<int>("--heads") { DefaultValueFactory = _ => 6 };
        var feedForward = new Option<int>("--feed-forward") { DefaultValueFactory = _ => 768 };
        var device = new Option<string>("--device") { Description = "cpu, or cuda with a CUDA build of TorchSharp.", DefaultValueFactory = _ => "cpu" };
        var threads = new Option<int>("--threads") { Description = "libtorch intra-op threads (default: one per core, the fastest measured; see README).", DefaultValueFactory = _ => Environment.ProcessorCount };
        var resume = new Option<bool>("--resume") { Description = "Continue an interrupted run in --out from its last checkpoint." };
        var init = new Option<string>("--init")
        {
            Description = "Start from this head checkpoint (best.safetensors of an earlier run, or a bundle's fusion.onnx written by GroundingWeb) with a fresh optimizer and schedule; the head's shape comes from it.",
        };
        var presence = new Option<bool>("--presence")
        {
            Description = "Give the head a presence output (\"not in this image\"), trained with binary cross-entropy on every sample; no-target samples (a null box) teach it. With --init from a head without one, the new part starts fresh.",
        };
        var presenceWeight = new Option<double>("--presence-weight") { Description = "Weight of the presence loss.", DefaultValueFactory = _ => 1 };
        var contrastiveWeight = new Option<double>("--contrastive-weight")
        {
            Description = "Weight of a CLIP-style contrastive term between each expression's projected [CLS] token and the batch's mean image tokens (0 = off).",
            DefaultValueFactory = _ => 0,
        };
        var presenceOnly = new Option<bool>("--presence-only")
        {
            Description = "Train only the presence head (with --presence and --init): the boxes stay exactly the starting head's.",
        };
        var borrowNegatives = new Option<int>("--borrow-negatives")
        {
            Description = "Add this many no-target samples per training image, each an expression of another image whose referred category is not referred to in this one (for data without negatives, such as RefCOCO; needs categories). Val gets them too when it has no no-target samples of its own.",
            DefaultValueFactory = _ => 0,
        };
        var command = new Command("train", "Train the fusion head on cached features (DIoU loss, AdamW, cosine schedule).")
        {
            features, extraFeatures, trainSplit, valSplit, output, epochs, batch, lr, weightDecay, warmup, l1Weight, dropout, seed, modelDim, layers, heads, feedForward, device, threads, resume, init,
            presence, presenceWeight, contrastiveWeight, presenceOnly, borrowNegatives,
        };
        command.SetAction((parse, cancellationToken) => Task.FromResult(CliErrors.Run(() =>
        {
            var featuresPath = parse.GetValue(features)!;
            var manifest = FeaturesManifest.Read(featuresPath);
            var config = new FusionHeadConfig(manifest.ImageDim, manifest.TextDim, parse.GetValue(modelDim), parse.GetValue(layers),
                parse.GetValue(heads), parse.GetValue(feedForward), parse.GetValue(presence));
            FusionHeadWeights? initialWeights = null;
            string? initialTrainedOn = null;
            if (parse.GetValue(init) is { } initPath)
            {
                (initialWeights, var initialMetadata) = HeadCheckpoint.Read(initPath);
                initialTrainedOn = initialMetadata.GetValueOrDefault(HeadCheckpoint.TrainedOnKey);
                var given = new[] { modelDim, layers, heads, feedForward }.Where(o => parse.GetResult(o) is { Implicit: false }).Select(o => o.Name).ToList();
                if (given.Count > 0 && initialWeights.Config with { ImageDim = config.ImageDim, TextDim = config.TextDim, Presence = config.Presence } != config)
                {
                    throw new ArgumentException($"--init '{initPath}' is a head {initialWeights.Config.ToJson()}, which {string.Join(", ", given)} contradict: leave them out to take the checkpoint's shape.");
                }
                // A head with presence keeps it; --presence adds it to one without.
                config = initialWeights.Config with { Presence = initialWeights.Config.Presence || config.Presence };
            }
            config.Validate();
            if (parse.GetValue(presenceOnly) && (!config.Presence || parse.GetValue(init) is null))
            {
                throw new ArgumentException("--presence-only needs --presence (or an --init head that has it) and --init: it trains the presence head of a head that exists.");
            }
            var options = new TrainingOptions
            {
                Epochs = parse.GetValue(epochs), BatchSize = parse.GetValue(batch), LearningRate = parse.GetValue(lr),
                WeightDecay = parse.GetValue(weightDecay), WarmupSteps = parse.GetValue(warmup), L1Weight = parse.GetValue(l1Weight), Dropout = parse.GetValue(dropout), Seed = parse.GetValue(seed),
                PresenceWeight = parse.GetValue(presenceWeight), ContrastiveWeight = parse.GetValue(contrastiveWeight), PresenceOnly = parse.GetValue(presenceOnly),
                Device = parse.GetValue(device)!, Threads = parse.GetValue(threads),
            };
            options.Validate();
            CheckBorrowing(parse.GetValue(borrowNegatives), config.Presence);
            Trainer.ResolveDevice(options.Device);
            var trainName = parse.GetValue(trainSplit)!;
            var extra = parse.GetValue(extraFeatures) ?? [];
            using var train = FeatureDataset.Load([(featuresPath, trainName), .. extra.Select(d => (d, trainName))]);
            using var val = FeatureDataset.Load(featuresPath, parse.GetValue(valSplit)!);
            var borrowed = AddBorrowedNegatives(parse.GetValue(borrowNegatives), config.Presence, options.Seed, train, val);
            var datasets = new[] { featuresPath }.Concat(extra).Select(d => FeaturesManifest.Read(d).Splits.TryGetValue(trainName, out var s) ? s.Dataset : d);
            var trainedOn = $"{string.Join(" + ", datasets)} (split '{trainName}', {train.Count} samples{borrowed}; features of {manifest.BundleName} {manifest.BundleVersion})";
            var provenance = new Dictionary<string, string>
            {
                [HeadCheckpoint.TrainedOnKey] = initialTrainedOn is null ? trainedOn : $"{trainedOn}, starting from {parse.GetValue(init)} (trained on {initialTrainedOn})",
                [HeadCheckpoint.CommandKey] = "grounding " + string.Join(' ', Environment.GetCommandLineArgs().Skip(1)),
            };
            new Trainer(config, options, Console.Out, TrainingProgress.ForConsole())
                .Run(train, val, parse.GetValue(output)!, parse.GetValue(resume), provenance, initialWeights: initialWeights, cancellationToken: cancellationToken);
            return 0;
        })));
        return command;
    }

    private static void CheckBorrowing(int perImage, bool presence)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(perImage, "--borrow-negatives");
        if (perImage > 0 && !presence)
        {
            throw new ArgumentException("--borrow-negatives makes no-target samples, which only a head with a presence output learns from: add --presence.");
        }
    }

    /// <returns>What to add to the provenance line (empty when none were borrowed).</returns>
    private static string AddBorrowedNegatives(int perImage, bool presence, int seed, FeatureDataset train, FeatureDataset val)
    {
        CheckBorrowing(perImage, presence);
        if (perImage == 0)
        {
            return "";
        }
        var inTrain = BorrowedNegatives.Add(train, perImage, seed).Count;
        // A val split without negatives could not measure presence nor choose its threshold; its pairs come from their own seed.
        var inVal = val.NoTargetCount == 0 ? BorrowedNegatives.Add(val, perImage, seed + 1_000_003).Count : 0;
        Console.Out.WriteLine($"borrowed negatives: {inTrain} in train, {inVal} in val ({perImage} per image, other images' expressions of categories not referred to there)");
        return $", {inTrain} of them borrowed negatives";
    }
}
