using GroundingWeb.Inference.Pipeline;
using System.CommandLine;
using System.Text.Json;
using GroundingWeb.Authoring.Onnx;
using GroundingWeb.Cli.Bench;
using GroundingWeb.Inference.Bundles;
using GroundingWeb.Inference.Imaging;
using GroundingWeb.Inference.Runtime;
using GroundingWeb.Shared;

namespace GroundingWeb.Cli.Commands;

/// <summary>
/// <c>grounding bench</c>: the serving path stage by stage on a real image, evaluate and features
/// throughput, train's optimisation step at the bundle's head size and, with --pytorch, PyTorch eager on
/// the same shapes with the ratios ours / PyTorch. Every timing is repeated: min, median, mean, p95.
/// </summary>
internal static class BenchCommand
{
    public static Command Create()
    {
        var bundle = new Option<string>("--bundle") { DefaultValueFactory = _ => "models/demo", Description = "Bundle folder." };
        var image = new Option<string>("--image") { Required = true, Description = "Image to time on." };
        var prompt = new Option<string>("--prompt") { DefaultValueFactory = _ => "the cat on the left", Description = "Prompt to time with." };
        var iterations = new Option<int>("--iterations") { DefaultValueFactory = _ => 30, Description = "Timed runs per stage (after warm-up runs); also the PyTorch peer's." };
        var provider = new Option<ExecutionProviderPreference>("--provider") { DefaultValueFactory = _ => ExecutionProviderPreference.Auto };
        var throughputImages = new Option<int>("--throughput-images") { DefaultValueFactory = _ => 8, Description = "RefShapes images for the evaluate and features rates (0 = skip)." };
        var throughputRuns = new Option<int>("--throughput-runs") { DefaultValueFactory = _ => 3, Description = "Runs over those images." };
        var trainSteps = new Option<int>("--train-steps") { DefaultValueFactory = _ => 5, Description = "Timed training steps (after 2 warm-up steps; 0 = skip)." };
        var trainBatch = new Option<int>("--train-batch") { DefaultValueFactory = _ => 32, Description = "Training batch (train's default)." };
        var threads = new Option<int>("--threads") { DefaultValueFactory = _ => Environment.ProcessorCount, Description = "libtorch threads for the training step and the PyTorch peer." };
        var pytorch = new Option<bool>("--pytorch") { Description = "Also time PyTorch eager on the same shapes (scripts/bench-pytorch.py) and print ours / PyTorch." };
        var python = new Option<string>("--python") { DefaultValueFactory = _ => "/usr/bin/python3", Description = "Python with torch for --pytorch (Debian's python3-torch)." };
        var perSessionPools = new Option<bool>("--per-session-pools") { Description = "Give each ONNX Runtime session its own thread pool instead of the app's one shared pool (Inference:SharedThreadPool=false)." };
        var ortThreads = new Option<int>("--ort-threads") { DefaultValueFactory = _ => 0, Description = "ONNX Runtime intra-op threads (0 = one per core), as Inference:IntraOpThreads." };
        var spinning = new Option<bool>("--spinning") { Description = "Let idle ONNX Runtime threads spin, as Inference:AllowSpinning." };
        var json = new Option<bool>("--json") { Description = "Print one JSON document on standard output; progress goes to standard error." };
        var command = new Command("bench", "Time the pipeline's stages, evaluate/features throughput and a training step; optionally beside PyTorch.")
        {
            bundle, image, prompt, iterations, provider, throughputImages, throughputRuns, trainSteps, trainBatch, threads, perSessionPools, ortThreads, spinning, pytorch, python, json,
        };
        command.SetAction((parse, cancellationToken) => Task.FromResult(CliErrors.Run(() => Execute(new BenchSettings
        {
            Bundle = parse.GetValue(bundle)!, Image = parse.GetValue(image)!, Prompt = parse.GetValue(prompt)!, Iterations = parse.GetValue(iterations),
            Provider = parse.GetValue(provider), ThroughputImages = parse.GetValue(throughputImages), ThroughputRuns = parse.GetValue(throughputRuns),
            TrainSteps = parse.GetValue(trainSteps), TrainBatch = parse.GetValue(trainBatch), Threads = parse.GetValue(threads),
            PerSessionPools = parse.GetValue(perSessionPools), OrtThreads = parse.GetValue(ortThreads), Spinning = parse.GetValue(spinning),
            PyTorch = parse.GetValue(pytorch), Python = parse.GetValue(python)!, Json = parse.GetValue(json),
        }, cancellationToken))));
        return command;
    }

    private sealed record BenchSettings
    {
        public required string Bundle { get; init; }
        public required string Image { get; init; }
        public required string Prompt { get; init; }
        public required int Iterations { get; init; }
        public required ExecutionProviderPreference Provider { get; init; }
        public required int ThroughputImages { get; init; }
        public required int ThroughputRuns { get; init; }
        public required int TrainSteps { get; init; }
        public required int TrainBatch { get; init; }
        public required int Threads { get; init; }
        public required bool PerSessionPools { get; init; }
        public required int OrtThreads { get; init; }
        public required bool Spinning { get; init; }
        public required bool PyTorch { get; init; }
        public required string Python { get; init; }
        public required bool Json { get; init; }
    }

    private static int Execute(BenchSettings settings, CancellationToken cancellationToken)
    {
        if (settings.Iterations < 1) throw new ArgumentException("--iterations must be at least 1.");
        if (settings.ThroughputImages < 0 || settings.ThroughputRuns < 1 || settings.TrainSteps < 0 || settings.TrainBatch < 1 || settings.Threads < 1 || settings.OrtThreads < 0)
        {
            throw new ArgumentException("--throughput-images and --train-steps must not be negative; --throughput-runs, --train-batch and --threads must be at least 1; --ort-threads must not be negative.");
        }
        var log = settings.Json ? Console.Error : Console.Out;
        var bytes = CliErrors.ReadInputFile(settings.Image, "Image");
        using var cached = CliEngine.Open(settings.Bundle, settings.Provider, verbose: false, tune: options =>
        {
            options.SharedThreadPool = !settings.PerSessionPools;
            options.IntraOpThreads = settings.OrtThreads;
            options.AllowSpinning = settings.Spinning;
        });
        // The same sessions with a cache of size 0, which never hits: every call is a first prompt on a new image.
        using var uncached = cached.ShareSessions(imageTokenCacheBytes: 0);
        var decoded = ImageDecoder.Decode(bytes, cached.ImageLimits);
        var manifest = cached.Manifest;
        var notes = new List<string>();
        var head = HeadConfig(cached.BundleDirectory, manifest, notes);

        log.WriteLine($"bench: {manifest.Name}: pipeline stages, {settings.Iterations} iterations each...");
        var pipeline = PipelineBench.Run(cached, uncached, bytes, settings.Prompt, settings.Iterations);
        log.WriteLine("bench: GEMM peak probe and the vision encoder's work...");
        var hardware = HardwareShare(cached, settings, pipeline);
        ThroughputResult? throughput = null;
        if (settings.ThroughputImages > 0)
        {
            log.WriteLine($"bench: evaluate and features over {settings.ThroughputImages} RefShapes images, {settings.ThroughputRuns} run(s)...");
            throughput = ThroughputBench.Run(uncached, settings.ThroughputImages, settings.ThroughputRuns, cancellationToken);
        }
        else notes.Add("evaluate and features throughput not measured (--throughput-images 0).");
        TrainingBenchResult? training = null;
        if (head is not null && settings.TrainSteps > 0)
        {
            log.WriteLine($"bench: {settings.TrainSteps} training steps of batch {settings.TrainBatch}...");
            training = TrainingBench.Run(head, manifest.Vision.Tokens, pipeline.TextTokens, settings.TrainBatch, settings.Threads, settings.TrainSteps);
        }
        else if (head is not null) notes.Add("training step not measured (--train-steps 0).");

        var stages = pipeline.Stages.ToDictionary(s => s.Key, s => s.Timing);
        var (peer, ratios) = settings.PyTorch ? RunPeer(settings, manifest, head, pipeline, stages, training, notes, log) : (null, null);
        var report = new BenchReport
        {
            Bundle = manifest.Name, Provider = cached.Provider, ThreadPool = cached.ThreadPool, FusionForm = cached.FusionForm, Scaling = pipeline.Scaling, Hardware = hardware, Cores = Environment.ProcessorCount,
            ImageWidth = decoded.Width, ImageHeight = decoded.Height, ImageBytes = bytes.Length, Iterations = settings.Iterations,
            PromptTokens = pipeline.TextTokens, BatchPrompts = pipeline.BatchPrompts, Stages = stages,
            Throughput = throughput, Training = training, PyTorch = peer, Ratios = ratios, Notes = notes,
        };
        if (settings.Json)
        {
            Console.WriteLine(JsonSerializer.Serialize(report, GroundingJson.Indented));
        }
        else
        {
            BenchText.Print(Console.Out, report, pipeline.Stages);
        }
        if (CliEngine.UntrainedWarning(manifest) is { } warning) Console.Error.WriteLine(warning);
        return 0;
    }

    /// <summary>The vision encoder's rate inside the pipeline against the machine's fp32 GEMM peak with as many threads.</summary>
    private static HardwareShare HardwareShare(GroundingPipeline pipeline, BenchSettings settings, PipelineBenchResult result)
    {
        var threads = settings.OrtThreads > 0 ? settings.OrtThreads : Environment.ProcessorCount;
        var peak = GemmPeakProbe.Run(threads);
        var vision = pipeline.Manifest.Vision;
        var work = ModelFlops.CountImageEncoder(Path.Combine(pipeline.BundleDirectory, vision.File), vision.Input, vision.Preprocessing.Width, vision.Preprocessing.Height);
        var median = result["vision"].MedianMs;
        var best = result["vision"].MinMs;
        var rate = work.Gflop / (median / 1000);
        return new HardwareShare(peak, work, Math.Round(rate, 1), Math.Round(rate / peak.BestGflops, 3), Math.Round(work.Gflop / (best / 1000) / peak.BestGflops, 3));
    }

    /// <summary>The head's shape from fusion.onnx's metadata (our writer, exporter and importer record it).</summary>
    private static FusionHeadConfig? HeadConfig(string bundleDirectory, BundleManifest manifest, List<string> notes)
    {
        try
        {
            return FusionHeadOnnxWriter.ReadConfig(File.ReadAllBytes(Path.Combine(bundleDirectory, manifest.Fusion.File)));
        }
        catch (InvalidDataException ex)
        {
            notes.Add($"training step and PyTorch head not measured: the head's shape is unknown ({ex.Message}).");
            return null;
        }
    }

    private static (System.Text.Json.Nodes.JsonObject?, Dictionary<string, BenchRatio>?) RunPeer(BenchSettings settings, BundleManifest manifest,
        FusionHeadConfig? head, PipelineBenchResult pipeline, Dictionary<string, BenchTiming> stages, TrainingBenchResult? training, List<string> notes, TextWriter log)
    {
        if (head is null)
        {
            return (null, null);
        }
        var vision = manifest.Vision;
        var vitB16 = vision.Tokens == 201 && vision.Width == 768 && vision.Preprocessing.Width == 224 && vision.Preprocessing.Height == 224;
        if (!vitB16) notes.Add($"no ViT-B/16 ratio: this bundle's vision encoder gives {vision.Tokens} tokens of {vision.Width} at {vision.Preprocessing.Width} px, not DINOv3 ViT-B/16's 201 of 768 at 224.");
        log.WriteLine($"bench: PyTorch peer ({settings.Python}, {settings.Threads} thread(s))...");
        var peer = PyTorchPeer.Run(settings.Python, new PeerShapes(head, vision.Tokens, pipeline.TextTokens, settings.TrainBatch, vitB16), settings.Threads, settings.Iterations);
        var ratios = new Dictionary<string, BenchRatio>();
        void Ratio(string key, string ours, double? oursMs, string theirs, string entry)
        {
            if (oursMs is { } o && PyTorchPeer.MedianMs(peer, entry) is { } p)
            {
                ratios[key] = new BenchRatio(ours, o, theirs, p, Math.Round(o / p, 3));
            }
        }
        Ratio("vision", "vision encoder (ONNX Runtime)", stages["vision"].MedianMs, "ViT-B/16 forward", "vitB16");
        Ratio("fusionBatch1", "fusion head, 1 prompt", stages["fusion"].MedianMs, "head, batch 1", "headBatch1");
        if (pipeline.BatchPrompts == PipelineBench.BatchPrompts)
        {
            Ratio("fusionBatch16", "fusion head, 16 prompts", stages["batchFusion"].MedianMs, "head, batch 16", "headBatch16");
        }
        else notes.Add($"no batch-16 ratio: the pipeline allows {pipeline.BatchPrompts} prompts per image.");
        Ratio("trainStep", $"training step (TorchSharp), batch {settings.TrainBatch}", training?.Step.MedianMs, $"training step, batch {settings.TrainBatch}", "trainStep");
        return (peer, ratios);
    }
}
