using System.Buffers;
using System.Diagnostics;
using System.Security.Cryptography;
using GroundingWeb.Inference.Bundles;
using GroundingWeb.Inference.Geometry;
using GroundingWeb.Inference.Imaging;
using GroundingWeb.Inference.Runtime;
using GroundingWeb.Inference.Text;
using Microsoft.Extensions.Logging;
using Microsoft.ML.OnnxRuntime;

namespace GroundingWeb.Inference.Pipeline;

/// <summary>
/// Grounds prompts in an image: decode, preprocess, vision encoder (cached per image), tokenize,
/// text encoder and fusion head, all prompts of one image in one batch (DESIGN.md section 4).
/// Thread-safe; one instance per loaded bundle.
/// </summary>
public sealed partial class GroundingPipeline(ModelBundle bundle, InferenceOptions options, ImageTokenCache cache, ILogger<GroundingPipeline> logger)
{
    private readonly System.Collections.Concurrent.ConcurrentDictionary<string, Lazy<ImageTokens>> _inFlight = new();
    private long _visionRuns;

    public ModelBundle Bundle => bundle;

    public ImageTokenCache Cache => cache;

    /// <summary>How many times the vision encoder has run: the cache's effect, observable.</summary>
    public long VisionEncoderRuns => Interlocked.Read(ref _visionRuns);

    /// <summary>Prompts one call accepts; callers with more split them.</summary>
    public int MaxPromptsPerImage => options.MaxPromptsPerImage;

    public ImageLimits ImageLimits { get; } = new()
    {
        MaxBytes = (long)options.MaxImageMegabytes * 1024 * 1024,
        MaxPixels = (long)options.MaxImageMegapixels * 1_000_000,
    };

    public GroundingResult Ground(ReadOnlyMemory<byte> image, IReadOnlyList<string> prompts, CancellationToken cancellationToken = default)
    {
        ValidatePrompts(prompts);
        if (image.Length > ImageLimits.MaxBytes)
        {
            throw new ImageDecodeException($"The image is {image.Length / (1024.0 * 1024.0):F1} MB; the limit is {options.MaxImageMegabytes} MB.");
        }
        var total = Stopwatch.StartNew();
        var clock = Stopwatch.StartNew();
        var key = Convert.ToHexStringLower(SHA256.HashData(image.Span));
        var hashMs = Lap(clock);

        double decodeMs = 0, preprocessMs = 0, visionMs = 0;
        var cached = cache.TryGet(key, out var tokens);
        if (!cached)
        {
            // Requests for the same image that arrive together share one encoder run: the first
            // creates the work, the others wait for its result and count as cached.
            var encodedHere = false;
            var mine = new Lazy<ImageTokens>(() =>
            {
                // A run that finished between our cache miss and now has already stored the tokens.
                if (cache.TryGet(key, out var finished))
                {
                    return finished;
                }
                encodedHere = true;
                var decoded = ImageDecoder.Decode(image.Span, ImageLimits);
                decodeMs = Lap(clock);
                var encoded = EncodeImage(decoded, out preprocessMs, out visionMs);
                cache.Add(key, encoded);
                return encoded;
            }, LazyThreadSafetyMode.ExecutionAndPublication);
            var shared = _inFlight.GetOrAdd(key, mine);
            try
            {
                tokens = shared.Value;
                cached = !encodedHere;
            }
            finally
            {
                // Gone once done or failed, so a failure is not remembered for later requests.
                _inFlight.TryRemove(KeyValuePair.Create(key, shared));
            }
        }
        cancellationToken.ThrowIfCancellationRequested();

        clock.Restart();
        var batch = bundle.Tokenizer.EncodeBatch(prompts);
        var tokenizeMs = Lap(clock);
        var textTokens = EncodeText(batch);
        var textMs = Lap(clock);
        cancellationToken.ThrowIfCancellationRequested();
        var boxes = RunFusion(tokens, textTokens, batch);
        var fusionMs = Lap(clock);

        var predictions = new PromptPrediction[prompts.Count];
        for (var i = 0; i < prompts.Count; i++)
        {
            var normalized = new Box(boxes[i * 4], boxes[i * 4 + 1], boxes[i * 4 + 2], boxes[i * 4 + 3]);
            predictions[i] = new PromptPrediction
            {
                Prompt = prompts[i],
                NormalizedBox = normalized,
                PixelBox = normalized.Scale(tokens.ImageWidth, tokens.ImageHeight).Clamp(tokens.ImageWidth, tokens.ImageHeight),
            };
        }
        var timings = new StageTimings
        {
            HashMs = hashMs, DecodeMs = decodeMs, PreprocessMs = preprocessMs, VisionMs = visionMs,
            TokenizeMs = tokenizeMs, TextMs = textMs, FusionMs = fusionMs, TotalMs = total.Elapsed.TotalMilliseconds,
        };
        LogGrounded(logger, prompts.Count, cached, timings.TotalMs, visionMs, textMs, fusionMs);
        return new GroundingResult
        {
            ImageSha256 = key,
            ImageWidth = tokens.ImageWidth,
            ImageHeight = tokens.ImageHeight,
            ImageTokensCached = cached,
            Provider = bundle.Provider,
            Timings = timings,
            Predictions = predictions,
        };
    }

    /// <summary>Runs each model once on a synthetic input so the first real request is not the slow one.</summary>
    public void WarmUp()
    {
        var p = bundle.Preprocessing;
        var grey = new RgbImage { Width = p.Width, Height = p.Height, Pixels = Enumerable.Repeat((byte)128, p.Width * p.Height * 3).ToArray() };
        var tokens = EncodeImage(grey, out _, out _);
        var batch = bundle.Tokenizer.EncodeBatch(["warm up"]);
        RunFusion(tokens, EncodeText(batch), batch);
        Interlocked.Decrement(ref _visionRuns);
    }

    private void ValidatePrompts(IReadOnlyList<string> prompts)
    {
        if (prompts.Count == 0)
        {
            throw new GroundingInputException("Give at least one prompt.");
        }
        if (prompts.Count > options.MaxPromptsPerImage)
        {
            throw new GroundingInputException($"{prompts.Count} prompts given; at most {options.MaxPromptsPerImage} per image.");
        }
        for (var i = 0; i < prompts.Count; i++)
        {
            if (PromptProblem(prompts[i]) is { } problem)
            {
                throw new GroundingInputException($"Prompt {i + 1} {problem}");
            }
        }
    }

    /// <summary>Why a prompt would be refused (completing "Prompt N ..."), or null when it is fine.</summary>
    public string? PromptProblem(string prompt) =>
        string.IsNullOrWhiteSpace(prompt) ? "is empty: describe the object to find."
        : prompt.Length > options.MaxPromptCharacters ? $"has {prompt.Length} characters; the limit is {options.MaxPromptCharacters}."
        : null;

    /// <summary>
    /// The vision encoder's tokens for a decoded image, with exactly the runtime's preprocessing
    /// (the feature cache of the trainer calls this, so training sees what serving sees). Bypasses the cache.
    /// </summary>
    internal ImageTokens EncodeImage(RgbImage image) => EncodeImage(image, out _, out _);

    /// <summary>The text encoder's output for a batch, row-major [BatchSize, SequenceLength, text width].</summary>
    internal float[] EncodeTextTokens(TokenBatch batch) => EncodeText(batch);

    private ImageTokens EncodeImage(RgbImage image, out double preprocessMs, out double visionMs)
    {
        var clock = Stopwatch.StartNew();
        var p = bundle.Preprocessing;
        var length = 3 * p.Width * p.Height;
        var pixels = ArrayPool<float>.Shared.Rent(length);
        try
        {
            ImagePreprocessor.PreprocessInto(image, p, pixels.AsSpan(0, length));
            preprocessMs = Lap(clock);
            var vision = bundle.Manifest.Vision;
            using var input = OrtValue.CreateTensorValueFromMemory(OrtMemoryInfo.DefaultInstance, pixels.AsMemory(0, length), [1, 3, p.Height, p.Width]);
            using var run = new RunOptions();
            using var outputs = bundle.Vision.Session.Run(run, [vision.Input], [input], [vision.Output]);
            Interlocked.Increment(ref _visionRuns);
            var data = outputs[0].GetTensorDataAsSpan<float>().ToArray();
            visionMs = Lap(clock);
            return new ImageTokens(data, vision.Tokens, vision.Width, image.Width, image.Height);
        }
        finally
        {
            ArrayPool<float>.Shared.Return(pixels);
        }
    }

    private float[] EncodeText(TokenBatch batch)
    {
        var text = bundle.Manifest.Text;
        long[] shape = [batch.BatchSize, batch.SequenceLength];
        var names = new List<string> { text.InputIds, text.AttentionMask };
        using var ids = OrtValue.CreateTensorValueFromMemory(batch.InputIds, shape);
        using var mask = OrtValue.CreateTensorValueFromMemory(batch.AttentionMask, shape);
        using var types = OrtValue.CreateTensorValueFromMemory(batch.TokenTypeIds, shape);
        var values = new List<OrtValue> { ids, mask };
        if (text.TokenTypeIds is not null)
        {
            names.Add(text.TokenTypeIds);
            values.Add(types);
        }
        using var run = new RunOptions();
        using var outputs = bundle.Text.Session.Run(run, names, values, [text.Output]);
        return outputs[0].GetTensorDataAsSpan<float>().ToArray();
    }

    private float[] RunFusion(ImageTokens image, float[] textTokens, TokenBatch batch)
    {
        var fusion = bundle.Manifest.Fusion;
        var b = batch.BatchSize;
        var perImage = image.Tokens.Length;
        var tiled = ArrayPool<float>.Shared.Rent(perImage * b);
        try
        {
            // Every prompt of the batch attends to the same image tokens.
            for (var i = 0; i < b; i++)
            {
                image.Tokens.CopyTo(tiled.AsSpan(i * perImage, perImage));
            }
            using var imageValue = OrtValue.CreateTensorValueFromMemory(OrtMemoryInfo.DefaultInstance, tiled.AsMemory(0, perImage * b), [b, image.Count, image.Width]);
            using var textValue = OrtValue.CreateTensorValueFromMemory(textTokens, [b, batch.SequenceLength, bundle.Manifest.Text.Width]);
            using var maskValue = OrtValue.CreateTensorValueFromMemory(batch.AttentionMask, [b, batch.SequenceLength]);
            using var run = new RunOptions();
            using var outputs = bundle.Fusion.Session.Run(
                run, [fusion.ImageTokens, fusion.TextTokens, fusion.TextMask], [imageValue, textValue, maskValue], [fusion.Output]);
            return outputs[0].GetTensorDataAsSpan<float>().ToArray();
        }
        finally
        {
            ArrayPool<float>.Shared.Return(tiled);
        }
    }

    private static double Lap(Stopwatch clock)
    {
        var ms = clock.Elapsed.TotalMilliseconds;
        clock.Restart();
        return ms;
    }

    [LoggerMessage(EventId = 2001, Level = LogLevel.Debug,
        Message = "Grounded {PromptCount} prompt(s), image tokens cached: {Cached}, total {TotalMs:F1} ms (vision {VisionMs:F1}, text {TextMs:F1}, fusion {FusionMs:F1})")]
    private static partial void LogGrounded(ILogger logger, int promptCount, bool cached, double totalMs, double visionMs, double textMs, double fusionMs);
}
