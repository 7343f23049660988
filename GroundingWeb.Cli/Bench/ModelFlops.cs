using System.Text.Json;
using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;

namespace GroundingWeb.Cli.Bench;

/// <summary>The floating-point work of one run of a model, counted from what ONNX Runtime actually ran.</summary>
internal sealed record ModelWork(double Gflop, IReadOnlyDictionary<string, int> CountedOperators);

/// <summary>
/// Counts a model's multiply-adds from an ONNX Runtime profile of one run: every executed node's
/// input and output shapes are in it, after graph optimisation (fused operators included), so no
/// shape inference of our own is needed. Convolutions, matrix products and Gemm carry all but a few
/// percent of an encoder's work; the rest (normalisation, activations, softmax) is not counted, so
/// the figure is a slight underestimate and a rate computed from it errs low.
/// </summary>
internal static class ModelFlops
{
    /// <summary>One run of an image encoder on a zero image of the preprocessing size, batch 1.</summary>
    public static ModelWork CountImageEncoder(string modelPath, string input, int width, int height) => Count(modelPath, session =>
    {
        var meta = session.InputMetadata[input];
        var dims = meta.Dimensions.Select(d => (long)d).ToArray();
        // NCHW with dynamic axes: batch 1, the preprocessing's size where the export leaves it open.
        long[] fill = [1, 3, height, width];
        for (var i = 0; i < dims.Length; i++) if (dims[i] < 1) dims[i] = i < fill.Length ? fill[i] : 1;
        var count = (int)dims.Aggregate(1L, (a, b) => a * b);
        var value = meta.ElementDataType == TensorElementType.UInt8
            ? OrtValue.CreateTensorValueFromMemory(new byte[count], dims)
            : OrtValue.CreateTensorValueFromMemory(new float[count], dims);
        return [(input, value)];
    });

    public static ModelWork Count(string modelPath, Func<InferenceSession, IReadOnlyList<(string Name, OrtValue Value)>> inputsFor)
    {
        var folder = Directory.CreateTempSubdirectory("grounding-flops-");
        try
        {
            string profile;
            // The prefix must be set before profiling is switched on: the switch passes it to ONNX Runtime.
            using (var options = new SessionOptions { IntraOpNumThreads = 1, ProfileOutputPathPrefix = Path.Combine(folder.FullName, "run"), EnableProfiling = true })
            using (var session = new InferenceSession(modelPath, options))
            using (var runOptions = new RunOptions())
            {
                var inputs = inputsFor(session);
                using var disposeInputs = new DisposableList(inputs.Select(i => i.Value));
                using var outputs = session.Run(runOptions, inputs.Select(i => i.Name).ToArray(), inputs.Select(i => i.Value).ToArray(), session.OutputNames.ToArray());
                profile = session.EndProfiling();
            }
            using var document = JsonDocument.Parse(File.ReadAllBytes(Path.IsPathRooted(profile) ? profile : Path.Combine(folder.FullName, Path.GetFileName(profile))));
            return FromProfile(document.RootElement);
        }
        finally
        {
            folder.Delete(recursive: true);
        }
    }

    private sealed class DisposableList(IEnumerable<IDisposable> items) : IDisposable
    {
        private readonly List<IDisposable> _items = items.ToList();
        public void Dispose() => _items.ForEach(i => i.Dispose());
    }

    /// <summary>Sums 2 x multiply-adds over the profile's node events.</summary>
    public static ModelWork FromProfile(JsonElement events)
    {
        double flop = 0;
        var counted = new SortedDictionary<string, int>(StringComparer.Ordinal);
        foreach (var e in events.EnumerateArray())
        {
            if (!e.TryGetProperty("cat", out var cat) || cat.GetString() != "Node" || !e.TryGetProperty("args", out var args)
                || !args.TryGetProperty("op_name", out var opName) || !args.TryGetProperty("input_type_shape", out var inShapes)
                || !args.TryGetProperty("output_type_shape", out var outShapes) || !(e.GetProperty("name").GetString() ?? "").EndsWith("_kernel_time", StringComparison.Ordinal))
            {
                continue;
            }
            var op = opName.GetString() ?? "";
            var ins = Shapes(inShapes);
            var outs = Shapes(outShapes);
            var macs = MultiplyAdds(op, ins, outs);
            if (macs > 0)
            {
                flop += 2 * macs;
                counted[op] = counted.GetValueOrDefault(op) + 1;
            }
        }
        return new ModelWork(Math.Round(flop / 1e9, 3), counted);
    }

    private static double MultiplyAdds(string op, List<long[]> ins, List<long[]> outs)
    {
        // A prepacked constant input (a MatMul's weights) is left out of the profile's input shapes.
        if (outs.Count == 0 || ins.Count == 0) return 0;
        var output = Product(outs[0]);
        if (op.Contains("Conv", StringComparison.Ordinal) && ins.Count >= 2 && ins[1].Length >= 3)
        {
            // Weight [Cout, Cin/group, k...]: each output element is Cin/group x k... multiply-adds.
            return output * Product(ins[1][1..]);
        }
        if (op.Contains("MatMul", StringComparison.Ordinal) || op.Contains("Gemm", StringComparison.Ordinal))
        {
            // The shared dimension is the one of A's last two that is not in the output's rows.
            var a = ins[0];
            var rows = outs[0].Length >= 2 ? outs[0][^2] : 1;
            var k = a.Length >= 2 && a[^1] == rows && a[^2] != rows ? a[^2] : a[^1];
            return output * k;
        }
        return 0;
    }

    private static List<long[]> Shapes(JsonElement list)
    {
        var shapes = new List<long[]>();
        foreach (var entry in list.EnumerateArray())
        {
            foreach (var property in entry.EnumerateObject())
            {
                shapes.Add(property.Value.EnumerateArray().Select(d => d.GetInt64()).ToArray());
            }
        }
        return shapes;
    }

    private static double Product(ReadOnlySpan<long> dims)
    {
        double p = 1;
        foreach (var d in dims) p *= d;
        return p;
    }
}
