using System.Text.Json;
using GroundingWeb.Evaluation.Datasets;
using GroundingWeb.Inference.Bundles;
using GroundingWeb.Inference.Imaging;

namespace GroundingWeb.Fuzz;

/// <summary>
/// One function per kind of untrusted input. Each feeds the bytes to the real reader and lets only the
/// errors that reader documents through (a clear refusal); anything else escapes and is a finding:
/// an IndexOutOfRangeException or OutOfMemoryException from a malformed file is a defect.
/// </summary>
public static class FuzzTargets
{
    public static readonly IReadOnlyDictionary<string, Action<byte[]>> All = new Dictionary<string, Action<byte[]>>
    {
        ["image"] = Image,
        ["jsonl"] = JsonLines,
        ["parquet"] = Parquet,
        ["pickle"] = Pickle,
        ["coco"] = Coco,
        ["manifest"] = Manifest,
    };

    // No static state built from instrumented code: SharpFuzz's coverage map exists only once the fuzzing
    // loop has started, and instrumented code run before that (a static constructor) crashes the process.

    // One scratch folder per process: the readers take paths, and afl runs one input at a time.
    private static readonly Lazy<string> Scratch = new(() =>
    {
        var folder = Path.Combine(Path.GetTempPath(), "groundingweb-fuzz", Environment.ProcessId.ToString());
        Directory.CreateDirectory(Path.Combine(folder, "images"));
        File.WriteAllBytes(Path.Combine(folder, "images", "a.png"), Seeds.Png());
        return folder;
    });

    private static void Image(byte[] bytes) => Expect(() => ImageDecoder.Decode(bytes, new ImageLimits { MaxBytes = 8 << 20, MaxPixels = 16_000_000 }), typeof(ImageDecodeException));

    private static void JsonLines(byte[] bytes) => ReadDataset("val.jsonl", bytes, DatasetFormat.Jsonl);

    private static void Parquet(byte[] bytes) => ReadDataset("val.parquet", bytes, DatasetFormat.Parquet);

    private static void Pickle(byte[] bytes)
    {
        File.WriteAllBytes(Path.Combine(Scratch.Value, "instances.json"), Seeds.Instances());
        ReadDataset("refs(unc).p", bytes, DatasetFormat.Refer, folder: true);
    }

    private static void Coco(byte[] bytes)
    {
        File.WriteAllBytes(Path.Combine(Scratch.Value, "refs(unc).p"), Seeds.RefsPickle());
        ReadDataset("instances.json", bytes, DatasetFormat.Refer, folder: true);
    }

    private static void Manifest(byte[] bytes)
    {
        var bundle = Path.Combine(Scratch.Value, "bundle");
        Directory.CreateDirectory(bundle);
        File.WriteAllBytes(Path.Combine(bundle, "bundle.json"), bytes);
        Expect(() => BundleManifest.Read(bundle), typeof(BundleException));
    }

    private static void ReadDataset(string name, byte[] bytes, DatasetFormat format, bool folder = false)
    {
        var path = Path.Combine(Scratch.Value, name);
        File.WriteAllBytes(path, bytes);
        try
        {
            Expect(() => DatasetReader.Read(folder ? Scratch.Value : path, format, null, Path.Combine(Scratch.Value, "images")),
                typeof(InvalidDataException), typeof(ArgumentException), typeof(FileNotFoundException), typeof(DirectoryNotFoundException));
        }
        finally
        {
            File.Delete(path);
        }
    }

    private static void Expect(Action read, params Type[] refusals)
    {
        try
        {
            read();
        }
        // Exact types: an ArgumentOutOfRangeException or a FileNotFoundException's cousins from a parser bug is a finding.
        catch (Exception ex) when (refusals.Contains(ex.GetType()))
        {
            // A clear refusal: what a malformed input must get.
        }
    }
}
