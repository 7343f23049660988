using System.Runtime.InteropServices;
using GroundingWeb.Authoring.Onnx;
using Google.Protobuf;
using DataType = Onnx.TensorProto.Types.DataType;

namespace GroundingWeb.Tests.Support;

/// <summary>
/// Small ONNX files with the public exports' interfaces (for bundle assembly tests that need
/// another width, another output name or another vocabulary size without 480 MB of twins).
/// </summary>
internal static class TinyExports
{
    /// <summary>pixel_values [B,3,H,W] -> 16-pixel patch tokens [B, P, width] under <paramref name="output"/>, weights optionally in model.onnx_data.</summary>
    public static string Vision(string folder, int width, string output = "last_hidden_state", bool externalData = false)
    {
        var onnx = Directory.CreateDirectory(Path.Combine(folder, "onnx")).FullName;
        var g = new OnnxGraphBuilder();
        g.Input("pixel_values", DataType.Float, "batch_size", "num_channels", "height", "width");
        var weights = Enumerable.Range(0, width * 3 * 16 * 16).Select(i => MathF.Sin(i) * 0.01f).ToArray();
        if (externalData)
        {
            File.WriteAllBytes(Path.Combine(onnx, "model.onnx_data"), MemoryMarshal.AsBytes(weights.AsSpan()).ToArray());
            g.ExternalInitializer("embeddings.patch_embeddings.weight", [width, 3, 16, 16], DataType.Float, "model.onnx_data", 0, weights.Length * 4L);
        }
        else
        {
            g.Initializer("embeddings.patch_embeddings.weight", [width, 3, 16, 16], weights);
        }
        var conv = g.Node("Conv", ["pixel_values", "embeddings.patch_embeddings.weight"], null,
            OnnxAttribute.Of("kernel_shape", 16, 16), OnnxAttribute.Of("strides", 16, 16));
        var flat = g.Node("Reshape", [conv, g.Int64Constant("shape", 0, width, -1)]);
        g.Node("Transpose", [flat], output, OnnxAttribute.Of("perm", 0, 2, 1));
        g.Output(output, DataType.Float, "batch_size", "sequence_length", width);
        var path = Path.Combine(onnx, "model.onnx");
        File.WriteAllBytes(path, g.Build("tiny_vision", "tests", 17).ToByteArray());
        return folder;
    }

    /// <summary>BERT-style inputs -> embedding lookup [B, T, width]; vocab.txt with <paramref name="vocabularyEntries"/> lines beside it.</summary>
    public static string Text(string folder, int width, int embeddingRows, int vocabularyEntries)
    {
        var onnx = Directory.CreateDirectory(Path.Combine(folder, "onnx")).FullName;
        var g = new OnnxGraphBuilder();
        foreach (var input in new[] { "input_ids", "attention_mask", "token_type_ids" })
        {
            g.Input(input, DataType.Int64, "batch_size", "sequence_length");
        }
        g.Initializer("embeddings.word_embeddings.weight", [embeddingRows, width], Enumerable.Range(0, embeddingRows * width).Select(i => MathF.Cos(i) * 0.1f).ToArray());
        var words = g.Node("Gather", ["embeddings.word_embeddings.weight", "input_ids"], null, OnnxAttribute.Of("axis", 0L));
        var mask = g.Node("Cast", ["attention_mask"], null, OnnxAttribute.Of("to", (long)DataType.Float));
        var types = g.Node("Cast", ["token_type_ids"], null, OnnxAttribute.Of("to", (long)DataType.Float));
        var gate = g.Node("Unsqueeze", [g.Node("Add", [mask, types]), g.Int64Constant("axes", 2)]);
        g.Node("Mul", [words, gate], "last_hidden_state");
        g.Output("last_hidden_state", DataType.Float, "batch_size", "sequence_length", width);
        File.WriteAllBytes(Path.Combine(onnx, "model.onnx"), g.Build("tiny_text", "tests", 17).ToByteArray());
        var vocab = new[] { "[PAD]" }.Concat(Enumerable.Range(1, 99).Select(i => $"[unused{i}]")).Concat(["[UNK]", "[CLS]", "[SEP]", "[MASK]"])
            .Concat(Enumerable.Range(0, Math.Max(0, vocabularyEntries - 104)).Select(i => $"w{i}")).Take(vocabularyEntries);
        File.WriteAllLines(Path.Combine(folder, "vocab.txt"), vocab);
        return folder;
    }

    /// <summary>An untrained fusion head for the given widths.</summary>
    public static string Head(string path, int imageDim, int textDim)
    {
        var config = new FusionHeadConfig(imageDim, textDim, 32, 1, 4, 64);
        FusionHeadOnnxWriter.Write(path, config, FusionHeadWeights.CreateRandom(config, 3));
        return path;
    }
}
