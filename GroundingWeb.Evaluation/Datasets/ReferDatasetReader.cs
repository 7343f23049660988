using System.Collections;
using GroundingWeb.Inference.Geometry;
using Razorvine.Pickle;

namespace GroundingWeb.Evaluation.Datasets;

/// <summary>
/// The refer toolkit layout: refs(unc).p (a pickled list of ref dicts) and instances.json (COCO)
/// in one folder. The box is the COCO annotation's (ann_id) bbox; the image is the instances.json
/// file_name of image_id (the ref's own file_name carries an _annId suffix and names no real file).
/// The expression is the sentence's <c>sent</c> (the toolkit's cleaned, lower-case text), or its
/// <c>raw</c> text trimmed when <c>sent</c> is empty.
/// </summary>
internal static class ReferDatasetReader
{
    public const string DefaultRefsFile = "refs(unc).p";
    public const string InstancesFile = "instances.json";

    public static void Read(string path, string? imageFolder, DatasetReadSink sink, CancellationToken cancellationToken)
    {
        var refsPath = FindRefsFile(path);
        var folder = Path.GetDirectoryName(refsPath)!;
        var instancesPath = Path.Combine(folder, InstancesFile);
        if (!File.Exists(instancesPath))
        {
            throw new FileNotFoundException($"The refer layout needs {InstancesFile} beside {Path.GetFileName(refsPath)} in {folder}.", instancesPath);
        }

        var refs = LoadRefs(refsPath);
        cancellationToken.ThrowIfCancellationRequested();
        var instances = CocoInstances.Load(instancesPath);
        var images = ImageFolderLocator.Locate(imageFolder, ImageFolderLocator.ReferCandidates(folder), $"the refer dataset in {folder}");

        for (var row = 0; row < refs.Count; row++)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var reference = refs[row] as IDictionary ?? throw Malformed(refsPath, row, "is not a dict");
            var split = PickleValues.Text(PickleValues.Get(reference, "split")) ?? throw Malformed(refsPath, row, "has no 'split'");
            if (sink.Wants(split))
            {
                ReadRef(reference, refsPath, row, split, instances, images, sink);
            }
        }
    }

    private static void ReadRef(IDictionary reference, string refsPath, int row, string split, CocoInstances instances, string images, DatasetReadSink sink)
    {
        var annId = PickleValues.Long(PickleValues.Get(reference, "ann_id")) ?? throw Malformed(refsPath, row, "has no integer 'ann_id'");
        var sentences = PickleValues.Get(reference, "sentences") as IList ?? throw Malformed(refsPath, row, "has no 'sentences' list");
        if (!instances.Annotations.TryGetValue(annId, out var annotation))
        {
            sink.Skip(refsPath, row, $"ann_id {annId} is not in {InstancesFile}");
            return;
        }

        if (annotation.Bbox is not { Length: 4 } bbox)
        {
            sink.Skip(refsPath, row, $"annotation {annId} in {InstancesFile} has no four-number bbox");
            return;
        }

        var imageId = PickleValues.Long(PickleValues.Get(reference, "image_id")) ?? annotation.ImageId;
        if (!instances.Images.TryGetValue(imageId, out var image) || string.IsNullOrEmpty(image.FileName))
        {
            sink.Skip(refsPath, row, $"image_id {imageId} is not in {InstancesFile}");
            return;
        }

        var imagePath = Path.GetFullPath(Path.Combine(images, image.FileName));
        var box = Box.FromXywh((float)bbox[0], (float)bbox[1], (float)bbox[2], (float)bbox[3]);
        var problem = SampleChecks.CheckImage(imagePath, images) ?? SampleChecks.CheckBox(box, image.Width, image.Height);
        if (problem is not null)
        {
            sink.Skip(refsPath, row, problem);
            return;
        }

        var categoryId = PickleValues.Long(PickleValues.Get(reference, "category_id")) ?? annotation.CategoryId;
        var category = categoryId is long id && instances.Categories.TryGetValue(id, out var name) ? name : CocoCategories.Name(categoryId);
        var refId = PickleValues.Long(PickleValues.Get(reference, "ref_id"));
        foreach (var item in sentences)
        {
            var sentence = item as IDictionary ?? throw Malformed(refsPath, row, "has a sentence that is not a dict");
            var sentId = PickleValues.Long(PickleValues.Get(sentence, "sent_id"));
            var text = ExpressionText(PickleValues.Text(PickleValues.Get(sentence, "sent")), PickleValues.Text(PickleValues.Get(sentence, "raw")));
            if (text is null)
            {
                sink.Skip(refsPath, row, $"sentence {sentId} has neither 'sent' nor 'raw' text");
                continue;
            }

            sink.Add(new GroundingSample
            {
                ImagePath = imagePath,
                ImageRoot = images,
                Expression = text,
                Box = box,
                Split = split,
                Category = category,
                ImageId = imageId,
                RefId = refId,
                AnnotationId = annId,
                SentenceId = sentId,
                ImageWidth = image.Width,
                ImageHeight = image.Height,
            });
        }
    }

    /// <summary><c>sent</c> when it has text, else <c>raw</c> trimmed, else null.</summary>
    internal static string? ExpressionText(string? sent, string? raw) =>
        !string.IsNullOrWhiteSpace(sent) ? sent.Trim()
        : !string.IsNullOrWhiteSpace(raw) ? raw.Trim()
        : null;

    private static string FindRefsFile(string path)
    {
        if (File.Exists(path))
        {
            return Path.GetFullPath(path);
        }

        if (!Directory.Exists(path))
        {
            throw new DirectoryNotFoundException($"The refer dataset folder '{path}' does not exist.");
        }

        var unc = Path.Combine(path, DefaultRefsFile);
        if (File.Exists(unc))
        {
            return Path.GetFullPath(unc);
        }

        var others = Directory.GetFiles(path, "refs(*).p");
        return others.Length == 1
            ? Path.GetFullPath(others[0])
            : throw new FileNotFoundException(
                others.Length == 0
                    ? $"No {DefaultRefsFile} (or other refs(*).p) in {path}: the refer layout keeps it beside {InstancesFile}."
                    : $"{path} holds several refs files ({string.Join(", ", others.Select(Path.GetFileName))}) and no {DefaultRefsFile}: pass the one to read.",
                unc);
    }

    private static IList LoadRefs(string refsPath)
    {
        object? loaded;
        try
        {
            DatasetLimits.CheckFileSize(refsPath, DatasetLimits.MaxPickleBytes, "a refs pickle");
            var bytes = File.ReadAllBytes(refsPath);
            // Razorvine allocates what a length field claims before reading it: a 14-byte file claiming
            // a 2 GB string was an OutOfMemoryException. Every claim is checked against the file first.
            PickleLengthCheck.Check(bytes, refsPath);
            using var unpickler = new Unpickler();
            loaded = unpickler.loads(bytes);
        }
        // Razorvine throws whatever its stack machine runs into on a malformed pickle (fuzzing found a
        // NullReferenceException from APPENDS without a list): any of it means the file is unreadable.
        catch (Exception e) when (e is not (OperationCanceledException or OutOfMemoryException or InvalidDataException))
        {
            throw new InvalidDataException($"{refsPath} is not a readable Python pickle: {e.Message}", e);
        }

        return loaded as IList ?? throw new InvalidDataException($"{refsPath} holds a {loaded?.GetType().Name ?? "None"}, not the list of refs the refer layout pickles.");
    }

    private static InvalidDataException Malformed(string file, int row, string problem) =>
        new($"{file} row {row}: the ref {problem}.");
}
