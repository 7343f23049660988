using GroundingWeb.Inference.Bundles;
using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;

namespace GroundingWeb.Cli.Bundles;

/// <summary>
/// An encoder's ONNX export as found in its download folder (<c>onnx/model.onnx</c>, or a path to
/// the file), with the external data files it needs, and what a probe run says about its output.
/// </summary>
internal sealed record EncoderExport(string ModelPath, IReadOnlyList<string> DataFiles)
{
    public const string HiddenStateOutput = "last_hidden_state";

    public static EncoderExport Find(string given, string what)
    {
        string[] candidates = File.Exists(given) ? [given] : [Path.Combine(given, "onnx", "model.onnx"), Path.Combine(given, "model.onnx")];
        var model = candidates.FirstOrDefault(File.Exists)
            ?? throw new FileNotFoundException($"The {what} export '{given}' has no ONNX model: looked for {string.Join(" and ", candidates)}.");
        IReadOnlyList<string> data;
        try
        {
            data = BundleFiles.ExternalDataOf(model);
        }
        catch (InvalidDataException ex)
        {
            throw new InvalidDataException($"The {what} export {model} cannot be read: {ex.Message}", ex);
        }
        foreach (var file in data)
        {
            var full = Path.Combine(Path.GetDirectoryName(model)!, file);
            if (!File.Exists(full))
            {
                throw new FileNotFoundException(
                    $"The {what} export {model} keeps its weights in the external data file '{file}', but {full} is missing: download it too and keep it beside model.onnx.");
            }
        }
        return new EncoderExport(model, data);
    }

    /// <summary>Opens the export on the CPU and checks it has <c>last_hidden_state</c> and the named inputs.</summary>
    public InferenceSession Open(string what, IReadOnlyList<string> inputs)
    {
        InferenceSession session;
        try
        {
            using var options = new SessionOptions { LogSeverityLevel = OrtLoggingLevel.ORT_LOGGING_LEVEL_ERROR };
            session = new InferenceSession(ModelPath, options);
        }
        catch (OnnxRuntimeException ex)
        {
            throw new InvalidDataException($"ONNX Runtime cannot load the {what} export {ModelPath}: {ex.Message}", ex);
        }
        try
        {
            if (!session.OutputMetadata.ContainsKey(HiddenStateOutput))
            {
                throw new InvalidDataException(
                    $"The {what} export {ModelPath} has no '{HiddenStateOutput}' output (it has {string.Join(", ", session.OutputMetadata.Keys)}): " +
                    "export the model's token states, not a pooled or task output.");
            }
            var missing = inputs.Where(i => !session.InputMetadata.ContainsKey(i)).ToList();
            if (missing.Count > 0)
            {
                throw new InvalidDataException(
                    $"The {what} export {ModelPath} lacks input(s) {string.Join(", ", missing)} (it takes {string.Join(", ", session.InputMetadata.Keys)}).");
            }
            return session;
        }
        catch
        {
            session.Dispose();
            throw;
        }
    }

    /// <summary>Runs <c>last_hidden_state</c> once and returns its shape.</summary>
    public static int[] ProbeShape(InferenceSession session, IReadOnlyList<NamedOnnxValue> inputs)
    {
        using var outputs = session.Run(inputs, [HiddenStateOutput]);
        return outputs[0].AsTensor<float>().Dimensions.ToArray();
    }

    public static NamedOnnxValue Int64Input(string name, long[] values, int rows) =>
        NamedOnnxValue.CreateFromTensor(name, new DenseTensor<long>(values, [rows, values.Length / rows]));
}
