using System.Diagnostics;
using GroundingWeb.Authoring.Onnx;
using GroundingWeb.Cli.Training;
using GroundingWeb.Inference.Bundles;
using GroundingWeb.Inference.Pipeline;
using GroundingWeb.Inference.Runtime;
using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;
using SixLabors.ImageSharp;
using SixLabors.ImageSharp.PixelFormats;

namespace GroundingWeb.Cli.Bundles;

internal sealed record BundleCreateRequest
{
    public required string Vision { get; init; }
    public required string Text { get; init; }
    public required string Head { get; init; }
    public required string Output { get; init; }
    public string Preset { get; init; } = PreprocessingPresets.Albumentations;
    public string Name { get; init; } = "dinov3-bge";
    public string Version { get; init; } = "1.0.0";
    public int Heads { get; init; } = 8;
    public int MaxTokens { get; init; } = 64;
    public bool Untrained { get; init; }
    public bool Force { get; init; }
    public string? ProbeImage { get; init; }
    public string ProbePrompt { get; init; } = "the object in the middle";
    public ExecutionProviderPreference Provider { get; init; } = ExecutionProviderPreference.Auto;
}

internal sealed record BundleCreateResult(BundleManifest Manifest, string Directory, GroundingResult Probe, long Bytes, string Provider, TimeSpan Elapsed);

/// <summary>
/// <c>grounding bundle create</c>: a bundle from a DINOv3 ONNX export, a BGE ONNX export with its
/// vocabulary and a fusion head (the reference's PyTorch state dict, imported, or a fusion.onnx).
/// Each export is checked by a probe run (token count and widths), the head against both widths,
/// the files are copied with their external data and recorded with their SHA-256, and the finished
/// bundle grounds one probe image before it appears under its name: whole or not at all.
/// </summary>
internal static class BundleAssembler
{
    public const string VisionFile = "vision/model.onnx";
    public const string TextFile = "text/model.onnx";
    public const string VocabFile = "text/vocab.txt";
    public const string FusionFile = "fusion.onnx";

    public static BundleCreateResult Create(BundleCreateRequest request)
    {
        var clock = Stopwatch.StartNew();
        var preprocessing = PreprocessingPresets.Get(request.Preset);
        var output = Path.GetFullPath(request.Output);
        if (Directory.Exists(output) && !request.Force)
        {
            throw new IOException($"{output} already exists; choose another --out or pass --force to replace it.");
        }
        var vision = EncoderExport.Find(request.Vision, "vision");
        var text = EncoderExport.Find(request.Text, "text");
        var vocab = FindVocabulary(request.Text, text.ModelPath);
        var (visionInput, tokens, visionWidth) = ProbeVision(vision, preprocessing);
        var (tokenTypes, textWidth) = ProbeText(text, vocab);
        var head = ReadHead(request, visionWidth, textWidth);

        var staging = $"{output}.partial-{Guid.NewGuid():N}";
        Directory.CreateDirectory(staging);
        try
        {
            var files = new List<string>();
            files.AddRange(BundleFileCopier.CopyModel(vision.ModelPath, staging, VisionFile));
            files.AddRange(BundleFileCopier.CopyModel(text.ModelPath, staging, TextFile));
            files.Add(BundleFileCopier.Copy(vocab, staging, VocabFile));
            head.Write(Path.Combine(staging, FusionFile));
            files.Add(FusionFile);
            // A head of ours (config recorded) also gets the split form: image-side work once per image.
            var fusion = new FusionHeadManifest { File = FusionFile, Presence = Training.BundleExporter.PresenceFor(head.Config, threshold: null) };
            if (head.Config is not null)
            {
                var (imageSide, promptSide) = FusionHeadSplit.WriteBeside(Path.Combine(staging, FusionFile));
                fusion = fusion with { ImageSide = Path.GetFileName(imageSide), PromptSide = Path.GetFileName(promptSide) };
                files.Add(fusion.ImageSide);
                files.Add(fusion.PromptSide);
            }
            var manifest = new BundleManifest
            {
                Name = request.Name,
                Version = request.Version,
                Trained = !request.Untrained,
                Description = $"DINOv3 ({tokens} tokens of {visionWidth}) + BGE ({textWidth}) with fusion head {head.Config?.ToJson() ?? "(config not recorded)"}, " +
                              $"preprocessing preset '{request.Preset}'.",
                Vision = new VisionEncoderManifest
                {
                    File = VisionFile, Input = visionInput, Output = EncoderExport.HiddenStateOutput, Tokens = tokens, Width = visionWidth, Preprocessing = preprocessing,
                },
                Text = new TextEncoderManifest
                {
                    File = TextFile, InputIds = "input_ids", AttentionMask = "attention_mask", TokenTypeIds = tokenTypes,
                    Output = EncoderExport.HiddenStateOutput, Width = textWidth,
                    Tokenizer = new TokenizerManifest { Vocab = VocabFile, LowerCase = true, MaxTokens = request.MaxTokens },
                },
                Fusion = fusion,
                Provenance = new Provenance
                {
                    Notes = $"Assembled by grounding bundle create from {vision.ModelPath}, {text.ModelPath}, {vocab} and {Path.GetFullPath(request.Head)} ({head.Origin}).",
                },
                Files = BundleFileCopier.Checksums(staging, files),
            };
            BundleManifest.Write(staging, manifest);
            var probe = Probe(staging, request);
            if (Directory.Exists(output))
            {
                Directory.Delete(output, recursive: true);
            }
            Directory.Move(staging, output);
            var bytes = manifest.Files!.Values.Sum(f => f.Bytes);
            return new BundleCreateResult(manifest, output, probe.Result, bytes, probe.Provider, clock.Elapsed);
        }
        catch
        {
            Directory.Delete(staging, recursive: true);
            throw;
        }
    }

    private static string FindVocabulary(string given, string model)
    {
        var modelFolder = Path.GetDirectoryName(model)!;
        string[] candidates = Directory.Exists(given)
            ? [Path.Combine(given, "vocab.txt"), Path.Combine(modelFolder, "vocab.txt"), Path.Combine(Path.GetDirectoryName(modelFolder)!, "vocab.txt")]
            : [Path.Combine(modelFolder, "vocab.txt"), Path.Combine(Path.GetDirectoryName(modelFolder)!, "vocab.txt")];
        return candidates.FirstOrDefault(File.Exists)
            ?? throw new FileNotFoundException($"The text export has no vocab.txt: looked for {string.Join(", ", candidates.Distinct())}. Download BGE's vocab.txt beside it.");
    }

    private static (string Input, int Tokens, int Width) ProbeVision(EncoderExport vision, PreprocessingManifest p)
    {
        using var session = vision.Open("vision", []);
        if (session.InputMetadata.Count != 1 || session.InputMetadata.Single().Value is not { ElementDataType: TensorElementType.Float } meta || meta.Dimensions.Length != 4)
        {
            throw new InvalidDataException(
                $"The vision export {vision.ModelPath} should take one float image tensor [batch, 3, height, width]; it takes {string.Join(", ", session.InputMetadata.Keys)}.");
        }
        var input = session.InputMetadata.Keys.Single();
        var pixels = new DenseTensor<float>([1, 3, p.Height, p.Width]);
        var shape = EncoderExport.ProbeShape(session, [NamedOnnxValue.CreateFromTensor(input, pixels)]);
        if (shape.Length != 3 || shape[0] != 1)
        {
            throw new InvalidDataException($"The vision export's last_hidden_state has shape [{string.Join(", ", shape)}] for one {p.Width}x{p.Height} image; expected [1, tokens, width].");
        }
        return (input, shape[1], shape[2]);
    }

    private static (string? TokenTypes, int Width) ProbeText(EncoderExport text, string vocab)
    {
        using var session = text.Open("text", ["input_ids", "attention_mask"]);
        var entries = File.ReadLines(vocab).Count();
        var rows = BundleFiles.EmbeddingRowsOf(text.ModelPath, "input_ids");
        if (rows is { } r && r != entries)
        {
            throw new InvalidDataException(
                $"{vocab} has {entries:N0} entries but the text export's token embedding table has {r:N0} rows: the vocabulary does not fit this text encoder.");
        }
        var tokenTypes = session.InputMetadata.ContainsKey("token_type_ids") ? "token_type_ids" : null;
        var inputs = new List<NamedOnnxValue>
        {
            EncoderExport.Int64Input("input_ids", [101, 1996, 4937, 102], 1),
            EncoderExport.Int64Input("attention_mask", [1, 1, 1, 1], 1),
        };
        if (tokenTypes is not null)
        {
            inputs.Add(EncoderExport.Int64Input(tokenTypes, [0, 0, 0, 0], 1));
        }
        var shape = EncoderExport.ProbeShape(session, inputs);
        if (shape is not [1, 4, _])
        {
            throw new InvalidDataException($"The text export's last_hidden_state has shape [{string.Join(", ", shape)}] for one prompt of 4 tokens; expected [1, 4, width].");
        }
        return (tokenTypes, shape[2]);
    }

    private sealed record HeadSource(FusionHeadConfig? Config, string Origin, Action<string> Write);

    private static HeadSource ReadHead(BundleCreateRequest request, int visionWidth, int textWidth)
    {
        var path = request.Head;
        if (!File.Exists(path))
        {
            throw new FileNotFoundException($"The head '{path}' does not exist (give the reference's best_model_iou.pt or a fusion.onnx).");
        }
        HeadSource head;
        if (path.EndsWith(".onnx", StringComparison.OrdinalIgnoreCase))
        {
            var bytes = File.ReadAllBytes(path);
            FusionHeadConfig? config = null;
            try
            {
                config = FusionHeadOnnxWriter.ReadConfig(bytes);
            }
            catch (InvalidDataException)
            {
                // A head written elsewhere may lack our metadata; the signature check on load still covers it.
            }
            head = new HeadSource(config, "fusion ONNX, copied", target => File.WriteAllBytes(target, bytes));
        }
        else
        {
            var import = StateDictImporter.Map(StateDictImporter.ReadStateDict(path), request.Heads);
            head = new HeadSource(import.Config, $"PyTorch state dict, {import.Mapping.Count} head tensors imported, {import.Ignored.Count} encoder tensors skipped",
                target => FusionHeadOnnxWriter.Write(target, import.Config, import.Weights));
        }
        if (head.Config is { } c && (c.ImageDim != visionWidth || c.TextDim != textWidth))
        {
            throw new InvalidDataException(
                $"The head {path} takes image tokens of width {c.ImageDim} and text tokens of width {c.TextDim}, " +
                $"but the vision export gives {visionWidth} and the text export {textWidth}: an export of another model size, or a head for other encoders.");
        }
        return head;
    }

    private static (GroundingResult Result, string Provider) Probe(string bundle, BundleCreateRequest request)
    {
        var image = request.ProbeImage is { } file ? Commands.CliErrors.ReadInputFile(file, "Probe image") : SyntheticProbeImage();
        var options = new InferenceOptions { BundlePath = bundle, ExecutionProvider = request.Provider, WarmUp = false };
        using var pipeline = GroundingPipeline.Open(bundle, options);
        return (pipeline.Ground(image, [request.ProbePrompt]), pipeline.Provider);
    }

    /// <summary>A 320x240 gradient with a bright square, so a probe needs no file.</summary>
    private static byte[] SyntheticProbeImage()
    {
        using var image = new Image<Rgb24>(320, 240);
        for (var y = 0; y < image.Height; y++)
        {
            for (var x = 0; x < image.Width; x++)
            {
                var inside = x is >= 120 and < 200 && y is >= 80 and < 160;
                image[x, y] = inside ? new Rgb24(250, 210, 40) : new Rgb24((byte)(x * 255 / 320), (byte)(y * 255 / 240), 90);
            }
        }
        using var stream = new MemoryStream();
        image.SaveAsPng(stream);
        return stream.ToArray();
    }
}
