using System.Buffers;
using System.Diagnostics;
using System.Security.Cryptography;
using GroundingWeb.Inference.Bundles;
using GroundingWeb.Inference.Geometry;
using GroundingWeb.Inference.Hosting;
using GroundingWeb.Inference.Imaging;
using GroundingWeb.Inference.Runtime;
using GroundingWeb.Inference.Text;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.ML.OnnxRuntime;

namespace GroundingWeb.Inference.Pipeline;

/// <summary>
/// Grounds prompts in an image: decode, preprocess, vision encoder (cached per image), tokenize,
/// text encoder and fusion head, all prompts of one image in one batch (DESIGN.md section 4).
/// Thread-safe. Pipelines that share a bundle's ONNX sessions (<see cref="ShareSessions"/>, or the
/// ones <see cref="GroundingEngine"/> hands out) each hold a reference to them; the sessions close
/// when the last pipeline is disposed.
/// </summary>
public sealed partial class GroundingPipeline : IDisposable
{
    private readonly ModelBundle _bundle;
    private readonly InferenceOptions _options;
    private readonly ILogger<GroundingPipeline> _logger;
    private long _visionRuns;
    private int _disposed;

    /// <summary>Takes over one reference to <paramref name="bundle"/>, given back by <see cref="Dispose"/>.</summary>
    internal GroundingPipeline(ModelBundle bundle, InferenceOptions options, ImageTokenCache cache, ILogger<GroundingPipeline> logger)
    {
        _bundle = bundle;
        _options = options;
        _logger = logger;
        Cache = cache;
        ImageLimits = ImageLimitsOf(options);
    }

    /// <summary>
    /// Opens the bundle in <paramref name="bundlePath"/> (a folder holding <c>bundle.json</c>; relative
    /// paths are looked up from the working directory, then from the program's folder upwards).
    /// </summary>
    /// <param name="options">Provider, threads, cache size and input limits; <see cref="InferenceOptions.BundlePath"/> is not used.</param>
    /// <param name="preparers">Write packaged files before loading, e.g. GroundingWeb.Authoring's <c>DemoEncoders</c>.</param>
    /// <exception cref="BundleException">The bundle is missing, or its manifest disagrees with its files; the message names the file and the field.</exception>
    public static GroundingPipeline Open(string bundlePath, InferenceOptions? options = null, ILoggerFactory? loggers = null, IEnumerable<IBundlePreparer>? preparers = null)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(bundlePath);
        options ??= new InferenceOptions();
        loggers ??= NullLoggerFactory.Instance;
        var providers = new ExecutionProviderSelector(options, loggers.CreateLogger<ExecutionProviderSelector>());
        var bundle = new BundleLoader(providers, preparers ?? []).Load(BundlePathResolver.Resolve(bundlePath));
        return new GroundingPipeline(bundle, options, new ImageTokenCache(CacheBytes(options)), loggers.CreateLogger<GroundingPipeline>());
    }

    /// <summary>The bundle's manifest: names, sizes, preprocessing, provenance.</summary>
    public BundleManifest Manifest => _bundle.Manifest;

    /// <summary>The folder the bundle was loaded from.</summary>
    public string BundleDirectory => _bundle.Directory;

    /// <summary>The execution provider the sessions run on ("CUDA" or "CPU").</summary>
    public string Provider => _bundle.Provider;

    /// <summary>The ONNX Runtime threads the sessions run on, in words (one shared pool, or a pool per session).</summary>
    public string ThreadPool => _bundle.ThreadPool;

    /// <summary>How the fusion head runs (whole graph, or split with its image side once per image) and what the cache keeps per image, in words.</summary>
    public string FusionForm => _bundle.FusionForm;

    /// <summary>Prompts one call accepts; callers with more split them.</summary>
    public int MaxPromptsPerImage => _options.MaxPromptsPerImage;

    public ImageLimits ImageLimits { get; }

    internal ImageTokenCache Cache { get; }

    internal ModelBundle Bundle => _bundle;

    /// <summary>How many times the vision encoder has run for this pipeline: the cache's effect, observable.</summary>
    internal long VisionEncoderRuns => Interlocked.Read(ref _visionRuns);

    /// <summary>
    /// Another pipeline on the same ONNX sessions with an image-token cache of its own (0 bytes: none),
    /// so that its images cannot evict this one's. Dispose it like any pipeline.
    /// </summary>
    public GroundingPipeline ShareSessions(long imageTokenCacheBytes)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(imageTokenCacheBytes);
        ThrowIfDisposed();
        if (!_bundle.TryRetain())
        {
            throw new ObjectDisposedException(nameof(GroundingPipeline), "The bundle's sessions are closed.");
        }
        return new GroundingPipeline(_bundle, _options, new ImageTokenCache(imageTokenCacheBytes), _logger);
    }

    /// <exception cref="GroundingInputException">Prompts that are empty, too long or too many.</exception>
    /// <exception cref="ImageDecodeException">Images that are corrupt, unsupported or too large.</exception>
    public GroundingResult Ground(ReadOnlyMemory<byte> image, IReadOnlyList<string> prompts, CancellationToken cancellationToken = default)
    {
        ThrowIfDisposed();
        ValidatePrompts(prompts);
        using var call = _bundle.EnterCall();
        CheckSize(image);
        var total = Stopwatch.StartNew();
        var key = Convert.ToHexStringLower(SHA256.HashData(image.Span));
        var times = new ImageStageTimes { HashMs = total.Elapsed.TotalMilliseconds };
        return GroundCore(key, times, total, () =>
        {
            var decodeClock = Stopwatch.StartNew();
            var decoded = ImageDecoder.Decode(image.Span, ImageLimits);
            times.DecodeMs = Lap(decodeClock);
            return EncodeImage(decoded, out times.PreprocessMs, out times.VisionMs);
        }, prompts, cancellationToken);
    }

    /// <summary>
    /// Hashes, decodes and preprocesses an image ahead of <see cref="Ground(PreparedImage, IReadOnlyList{string}, CancellationToken)"/>,
    /// so that a caller with many images (evaluation) can do this for the next image while the models
    /// run on the current one. Nothing runs on the models here; an image the cache already holds is
    /// only hashed.
    /// </summary>
    /// <exception cref="ImageDecodeException">Images that are corrupt, unsupported or too large.</exception>
    public PreparedImage Prepare(ReadOnlyMemory<byte> image)
    {
        ThrowIfDisposed();
        CheckSize(image);
        var clock = Stopwatch.StartNew();
        var key = Convert.ToHexStringLower(SHA256.HashData(image.Span));
        var prepared = new PreparedImage { Key = key, Bytes = image, HashMs = Lap(clock) };
        if (Cache.Contains(key))
        {
            return prepared;
        }
        var decoded = ImageDecoder.Decode(image.Span, ImageLimits);
        prepared.DecodeMs = Lap(clock);
        prepared.Pixels = Preprocess(decoded);
        prepared.PreprocessMs = Lap(clock);
        prepared.Width = decoded.Width;
        prepared.Height = decoded.Height;
        return prepared;
    }

    /// <summary>Grounds prompts in an image prepared by <see cref="Prepare"/>; the same result as grounding its bytes.</summary>
    /// <exception cref="GroundingInputException">Prompts that are empty, too long or too many.</exception>
    /// <exception cref="ImageDecodeException">The image was cached when prepared, evicted since, and is corrupt now (it cannot be).</exception>
    public GroundingResult Ground(PreparedImage image, IReadOnlyList<string> prompts, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(image);
        ThrowIfDisposed();
        ValidatePrompts(prompts);
        using var call = _bundle.EnterCall();
        var total = Stopwatch.StartNew();
        var times = new ImageStageTimes { HashMs = image.HashMs };
        return GroundCore(image.Key, times, total, () =>
        {
            if (image.Pixels is { } pixels)
            {
                times.DecodeMs = image.DecodeMs;
                times.PreprocessMs = image.PreprocessMs;
                var visionClock = Stopwatch.StartNew();
                var tokens = RunVision(pixels, image.Width, image.Height);
                times.VisionMs = Lap(visionClock);
                return tokens;
            }
            // Cached when prepared, evicted since: decode it now.
            var decodeClock = Stopwatch.StartNew();
            var decoded = ImageDecoder.Decode(image.Bytes.Span, ImageLimits);
            times.DecodeMs = Lap(decodeClock);
            return EncodeImage(decoded, out times.PreprocessMs, out times.VisionMs);
        }, prompts, cancellationToken);
    }

    /// <summary>Milliseconds of the image's stages, filled in by whichever path encodes it.</summary>
    private sealed class ImageStageTimes
    {
        public double HashMs;
        public double DecodeMs;
        public double PreprocessMs;
        public double VisionMs;
        public double ImageFusionMs;
    }

    private void CheckSize(ReadOnlyMemory<byte> image)
    {
        if (image.Length > ImageLimits.MaxBytes)
        {
            throw new ImageDecodeException($"The image is {image.Length / (1024.0 * 1024.0):F1} MB; the limit is {_options.MaxImageMegabytes} MB.");
        }
    }

    private GroundingResult GroundCore(string key, ImageStageTimes times, Stopwatch total, Func<ImageTokens> encodeImage,
        IReadOnlyList<string> prompts, CancellationToken cancellationToken)
    {
        var encoded = Cache.GetOrEncode(key, () =>
        {
            var tokens = encodeImage();
            var fusionClock = Stopwatch.StartNew();
            var entry = Encoded(tokens);
            times.ImageFusionMs = _bundle.SplitFusion ? Lap(fusionClock) : 0;
            return entry;
        }, out var encodedHere);
        var cached = !encodedHere;
        if (cached)
        {
            // Another caller's run (or an earlier one) encoded it: none of the image stages ran here.
            times.DecodeMs = times.PreprocessMs = times.VisionMs = times.ImageFusionMs = 0;
        }
        cancellationToken.ThrowIfCancellationRequested();

        var clock = Stopwatch.StartNew();
        var batch = _bundle.Tokenizer.EncodeBatch(prompts);
        var tokenizeMs = Lap(clock);
        var textTokens = RunTextEncoder(batch);
        var textMs = Lap(clock);
        cancellationToken.ThrowIfCancellationRequested();
        var (boxes, presence) = RunFusion(encoded, textTokens, batch);
        var fusionMs = Lap(clock);
        var threshold = _bundle.Manifest.Fusion.Presence?.Threshold;

        var predictions = new PromptPrediction[prompts.Count];
        for (var i = 0; i < prompts.Count; i++)
        {
            var normalized = new Box(boxes[i * 4], boxes[i * 4 + 1], boxes[i * 4 + 2], boxes[i * 4 + 3]);
            predictions[i] = new PromptPrediction
            {
                Prompt = prompts[i],
                NormalizedBox = normalized,
                PixelBox = normalized.Scale(encoded.ImageWidth, encoded.ImageHeight).Clamp(encoded.ImageWidth, encoded.ImageHeight),
                Presence = presence?[i],
                Found = presence is null ? null : presence[i] >= threshold,
            };
        }
        var timings = new StageTimings
        {
            HashMs = times.HashMs, DecodeMs = times.DecodeMs, PreprocessMs = times.PreprocessMs, VisionMs = times.VisionMs, ImageFusionMs = times.ImageFusionMs,
            TokenizeMs = tokenizeMs, TextMs = textMs, FusionMs = fusionMs, TotalMs = total.Elapsed.TotalMilliseconds,
        };
        LogGrounded(_logger, prompts.Count, cached, timings.TotalMs, times.VisionMs, textMs, fusionMs);
        return new GroundingResult
        {
            ImageSha256 = key,
            ImageWidth = encoded.ImageWidth,
            ImageHeight = encoded.ImageHeight,
            ImageTokensCached = cached,
            Provider = _bundle.Provider,
            Timings = timings,
            Predictions = predictions,
        };
    }

    /// <summary>Runs each model once on a synthetic input so the first real request is not the slow one.</summary>
    public void WarmUp()
    {
        ThrowIfDisposed();
        using var call = _bundle.EnterCall();
        var p = _bundle.Preprocessing;
        var grey = new RgbImage { Width = p.Width, Height = p.Height, Pixels = Enumerable.Repeat((byte)128, p.Width * p.Height * 3).ToArray() };
        var encoded = Encoded(EncodeImage(grey, out _, out _));
        var batch = _bundle.Tokenizer.EncodeBatch(["warm up"]);
        RunFusion(encoded, RunTextEncoder(batch), batch);
        Interlocked.Decrement(ref _visionRuns);
    }

    /// <summary>
    /// Characters as people count them closely enough for a limit: Unicode scalar values, so an emoji
    /// outside the Basic Multilingual Plane is one, not the two UTF-16 units string.Length counts.
    /// </summary>
    private static int CharacterCount(string text)
    {
        var count = 0;
        foreach (var _ in text.EnumerateRunes()) count++;
        return count;
    }

    /// <summary>Why a prompt would be refused (completing "Prompt N ..."), or null when it is fine.</summary>
    public string? PromptProblem(string prompt) =>
        string.IsNullOrWhiteSpace(prompt) ? "is empty: describe the object to find."
        : CharacterCount(prompt) is var characters && characters > _options.MaxPromptCharacters ? $"has {characters} characters; the limit is {_options.MaxPromptCharacters}."
        : null;

    /// <summary>
    /// The vision encoder's tokens for a decoded image, with exactly the serving preprocessing (the
    /// trainer's feature cache uses this, so training sees what serving sees). Bypasses the cache.
    /// </summary>
    public ImageTokens EncodeImage(RgbImage image)
    {
        ThrowIfDisposed();
        ArgumentNullException.ThrowIfNull(image);
        using var call = _bundle.EnterCall();
        return EncodeImage(image, out _, out _);
    }

    /// <summary>The text encoder's tokens for a batch of texts, tokenized as <see cref="Ground"/> tokenizes prompts.</summary>
    public TextTokens EncodeText(IReadOnlyList<string> texts)
    {
        ThrowIfDisposed();
        using var call = _bundle.EnterCall();
        var batch = _bundle.Tokenizer.EncodeBatch(texts);
        var lengths = new int[batch.BatchSize];
        for (var row = 0; row < batch.BatchSize; row++)
        {
            for (var t = 0; t < batch.SequenceLength; t++)
            {
                lengths[row] += batch.AttentionMask[row * batch.SequenceLength + t] != 0 ? 1 : 0;
            }
        }
        return new TextTokens(RunTextEncoder(batch), batch.BatchSize, batch.SequenceLength, _bundle.Manifest.Text.Width, lengths);
    }

    /// <summary>Gives this pipeline's reference to the sessions back; they close when no pipeline holds one.</summary>
    public void Dispose()
    {
        if (Interlocked.Exchange(ref _disposed, 1) == 0)
        {
            _bundle.Release();
        }
    }

    internal static ImageLimits ImageLimitsOf(InferenceOptions options) => new()
    {
        MaxBytes = (long)options.MaxImageMegabytes * 1024 * 1024,
        MaxPixels = (long)options.MaxImageMegapixels * 1_000_000,
    };

    internal static long CacheBytes(InferenceOptions options) => (long)options.ImageTokenCacheMegabytes * 1024 * 1024;

    private void ThrowIfDisposed() => ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed) != 0, this);

    private void ValidatePrompts(IReadOnlyList<string> prompts)
    {
        ArgumentNullException.ThrowIfNull(prompts);
        if (prompts.Count == 0)
        {
            throw new GroundingInputException("Give at least one prompt.");
        }
        if (prompts.Count > _options.MaxPromptsPerImage)
        {
            throw new GroundingInputException($"{prompts.Count} prompts given; at most {_options.MaxPromptsPerImage} per image.");
        }
        for (var i = 0; i < prompts.Count; i++)
        {
            if (PromptProblem(prompts[i]) is { } problem)
            {
                throw new GroundingInputException($"Prompt {i + 1} {problem}");
            }
        }
    }

    private ImageTokens EncodeImage(RgbImage image, out double preprocessMs, out double visionMs)
    {
        var clock = Stopwatch.StartNew();
        var length = PixelCount;
        // Pooled: this runs once per new image, and a fresh 600 KB array each time churns the large-object heap.
        var pixels = ArrayPool<float>.Shared.Rent(length);
        try
        {
            ImagePreprocessor.PreprocessInto(image, _bundle.Preprocessing, pixels.AsSpan(0, length));
            preprocessMs = Lap(clock);
            var tokens = RunVision(pixels.AsMemory(0, length), image.Width, image.Height);
            visionMs = Lap(clock);
            return tokens;
        }
        finally
        {
            ArrayPool<float>.Shared.Return(pixels);
        }
    }

    private int PixelCount => 3 * _bundle.Preprocessing.Width * _bundle.Preprocessing.Height;

    /// <summary>Resize and normalise as the manifest says: [3, H, W] planes, in an array of its own (a prepared image keeps it).</summary>
    private float[] Preprocess(RgbImage image)
    {
        var pixels = new float[PixelCount];
        ImagePreprocessor.PreprocessInto(image, _bundle.Preprocessing, pixels);
        return pixels;
    }

    private ImageTokens RunVision(Memory<float> pixels, int imageWidth, int imageHeight)
    {
        var p = _bundle.Preprocessing;
        var vision = _bundle.Manifest.Vision;
        using var input = OrtValue.CreateTensorValueFromMemory(OrtMemoryInfo.DefaultInstance, pixels, [1, 3, p.Height, p.Width]);
        using var run = new RunOptions();
        using var outputs = _bundle.Vision.Session.Run(run, [vision.Input], [input], [vision.Output]);
        Interlocked.Increment(ref _visionRuns);
        ExpectShape(outputs[0], "vision", [1, vision.Tokens, vision.Width], "vision.tokens and vision.width");
        return new ImageTokens(outputs[0].GetTensorDataAsSpan<float>().ToArray(), vision.Tokens, vision.Width, imageWidth, imageHeight);
    }

    /// <summary>The text encoder's output for a batch, row-major [BatchSize, SequenceLength, text width].</summary>
    private float[] RunTextEncoder(TokenBatch batch)
    {
        var text = _bundle.Manifest.Text;
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
        using var outputs = _bundle.Text.Session.Run(run, names, values, [text.Output]);
        ExpectShape(outputs[0], "text", [batch.BatchSize, batch.SequenceLength, text.Width], "text.width");
        return outputs[0].GetTensorDataAsSpan<float>().ToArray();
    }

    /// <summary>What the cache keeps of an image: its tokens, or for a split head only its image side's output.</summary>
    private EncodedImage Encoded(ImageTokens tokens) => _bundle.SplitFusion
        ? new EncodedImage(tokens.ImageWidth, tokens.ImageHeight, null, RunImageSide(tokens))
        : new EncodedImage(tokens.ImageWidth, tokens.ImageHeight, tokens, null);

    /// <summary>The split head's image side: every layer's cross-attention keys and values for this image, batch 1.</summary>
    private FusionMemory RunImageSide(ImageTokens tokens)
    {
        var fusion = _bundle.Manifest.Fusion;
        using var input = OrtValue.CreateTensorValueFromMemory(tokens.Tokens, [1, tokens.Count, tokens.Width]);
        using var run = new RunOptions();
        using var outputs = _bundle.FusionImageSide!.Session.Run(run, [fusion.ImageTokens], [input], [FusionHeadManifest.CrossKeys, FusionHeadManifest.CrossValues]);
        return new FusionMemory(
            outputs[0].GetTensorDataAsSpan<float>().ToArray(), outputs[0].GetTensorTypeAndShape().Shape,
            outputs[1].GetTensorDataAsSpan<float>().ToArray(), outputs[1].GetTensorTypeAndShape().Shape);
    }

    /// <summary>Boxes [B * 4] and, for a head with a presence output, one probability per prompt (else null).</summary>
    private (float[] Boxes, float[]? Presence) RunFusion(EncodedImage image, float[] textTokens, TokenBatch batch)
    {
        var fusion = _bundle.Manifest.Fusion;
        string[] outputNames = fusion.Presence is { } presence ? [fusion.Output, presence.Output] : [fusion.Output];
        var b = batch.BatchSize;
        using var textValue = OrtValue.CreateTensorValueFromMemory(textTokens, [b, batch.SequenceLength, _bundle.Manifest.Text.Width]);
        using var maskValue = OrtValue.CreateTensorValueFromMemory(batch.AttentionMask, [b, batch.SequenceLength]);
        using var run = new RunOptions();
        if (image.Memory is { } memory)
        {
            // The image side's batch of 1 broadcasts over the prompts: nothing is copied per prompt.
            using var keys = OrtValue.CreateTensorValueFromMemory(memory.Keys, memory.KeysShape);
            using var values = OrtValue.CreateTensorValueFromMemory(memory.Values, memory.ValuesShape);
            using var split = _bundle.FusionPromptSide!.Session.Run(
                run, [fusion.TextTokens, fusion.TextMask, FusionHeadManifest.CrossKeys, FusionHeadManifest.CrossValues], [textValue, maskValue, keys, values], outputNames);
            return Read(split, fusion.Presence);
        }
        var tokens = image.Tokens!;
        var perImage = tokens.Tokens.Length;
        var tiled = ArrayPool<float>.Shared.Rent(perImage * b);
        try
        {
            // Every prompt of the batch attends to the same image tokens.
            for (var i = 0; i < b; i++)
            {
                tokens.Tokens.CopyTo(tiled.AsSpan(i * perImage, perImage));
            }
            using var imageValue = OrtValue.CreateTensorValueFromMemory(OrtMemoryInfo.DefaultInstance, tiled.AsMemory(0, perImage * b), [b, tokens.Count, tokens.Width]);
            using var outputs = _bundle.Fusion!.Session.Run(
                run, [fusion.ImageTokens, fusion.TextTokens, fusion.TextMask], [imageValue, textValue, maskValue], outputNames);
            return Read(outputs, fusion.Presence);
        }
        finally
        {
            ArrayPool<float>.Shared.Return(tiled);
        }
    }

    private static (float[] Boxes, float[]? Presence) Read(IDisposableReadOnlyCollection<OrtValue> outputs, PresenceManifest? presence)
    {
        var boxes = outputs[0].GetTensorDataAsSpan<float>().ToArray();
        if (presence is null)
        {
            return (boxes, null);
        }
        var scores = outputs[1].GetTensorDataAsSpan<float>().ToArray();
        if (presence.Kind == "logit")
        {
            for (var i = 0; i < scores.Length; i++)
            {
                scores[i] = 1f / (1f + MathF.Exp(-scores[i]));
            }
        }
        return (boxes, scores);
    }

    /// <summary>Exports with dynamic axes are only checked when they run: their output must have the shape the manifest states.</summary>
    private void ExpectShape(OrtValue output, string encoder, long[] expected, string fields)
    {
        var actual = output.GetTensorTypeAndShape().Shape;
        if (!actual.AsSpan().SequenceEqual(expected))
        {
            var file = encoder == "vision" ? _bundle.Manifest.Vision.File : _bundle.Manifest.Text.File;
            throw new BundleException(
                $"{Path.Combine(_bundle.Directory, file)} returned a tensor of shape [{string.Join(", ", actual)}], " +
                $"but bundle.json ({fields}) implies [{string.Join(", ", expected)}]: the manifest does not describe this {encoder} encoder.");
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
