using System.Diagnostics;
using System.Runtime.InteropServices;
using Google.Protobuf;
using Onnx;
using Microsoft.ML.OnnxRuntime;
using DataType = Onnx.TensorProto.Types.DataType;

namespace GroundingWeb.Cli.Bench;

/// <summary>The fp32 matrix-product rate this machine reaches through ONNX Runtime's own kernels (MLAS).</summary>
internal sealed record GemmPeak(int Size, int Threads, int Runs, double BestGflops, double MedianGflops);

/// <summary>
/// Times square fp32 MatMuls of a few sizes and keeps the fastest, in a session of its own
/// (own pool of <c>threads</c>, spinning on), so every other figure can be put against what the
/// hardware gives. Call it after the pipeline is open: its SessionOptions must not be the first,
/// which would create the process's environment without the shared pool. Power-of-two sizes are
/// avoided: their rows alias in the caches (2048 reached 129 GFLOPS where 1536 reached 203 here).
/// </summary>
internal static class GemmPeakProbe
{
    public static GemmPeak Run(int threads, int runs = 7)
    {
        GemmPeak? best = null;
        foreach (var size in new[] { 480, 720, 1200 })
        {
            var peak = RunSize(threads, size, runs);
            if (best is null || peak.BestGflops > best.BestGflops) best = peak;
        }
        return best!;
    }

    private static GemmPeak RunSize(int threads, int size, int runs)
    {
        var random = new Random(7);
        var weights = new float[size * size];
        for (var i = 0; i < weights.Length; i++) weights[i] = (float)(random.NextDouble() - 0.5);
        var model = MatMulModel(size, weights);

        using var options = new SessionOptions { IntraOpNumThreads = threads, InterOpNumThreads = 1 };
        options.AddSessionConfigEntry("session.intra_op.allow_spinning", "1");
        using var session = new InferenceSession(model, options);
        using var a = OrtValue.CreateTensorValueFromMemory(weights, [size, size]);
        using var runOptions = new RunOptions();
        var flop = 2.0 * size * size * size;
        var rates = new List<double>();
        for (var i = 0; i < runs + 1; i++)
        {
            var clock = Stopwatch.StartNew();
            using var outputs = session.Run(runOptions, ["a"], [a], ["c"]);
            var seconds = clock.Elapsed.TotalSeconds;
            if (i > 0) rates.Add(flop / seconds / 1e9);
        }
        rates.Sort();
        return new GemmPeak(size, threads, runs, Math.Round(rates[^1], 1), Math.Round(rates[rates.Count / 2], 1));
    }

    /// <summary>c = a x b with b a constant: one MatMul node, opset 17.</summary>
    internal static byte[] MatMulModel(int size, float[] b)
    {
        static ValueInfoProto Tensor(string name, int size) => new()
        {
            Name = name,
            Type = new TypeProto
            {
                TensorType = new TypeProto.Types.Tensor
                {
                    ElemType = (int)DataType.Float,
                    Shape = new TensorShapeProto { Dim = { new TensorShapeProto.Types.Dimension { DimValue = size }, new TensorShapeProto.Types.Dimension { DimValue = size } } },
                },
            },
        };
        var graph = new GraphProto { Name = "gemm-peak" };
        graph.Input.Add(Tensor("a", size));
        graph.Output.Add(Tensor("c", size));
        graph.Initializer.Add(new TensorProto { Name = "b", DataType = (int)DataType.Float, Dims = { size, size }, RawData = ByteString.CopyFrom(MemoryMarshal.AsBytes(b.AsSpan())) });
        graph.Node.Add(new NodeProto { OpType = "MatMul", Input = { "a", "b" }, Output = { "c" } });
        var model = new ModelProto { IrVersion = 8, ProducerName = "grounding bench", Graph = graph };
        model.OpsetImport.Add(new OperatorSetIdProto { Domain = "", Version = 17 });
        return model.ToByteArray();
    }
}
