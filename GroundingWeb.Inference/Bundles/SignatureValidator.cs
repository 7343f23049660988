using GroundingWeb.Inference.Runtime;
using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;

namespace GroundingWeb.Inference.Bundles;

/// <summary>
/// Checks the manifest against the real signatures of the loaded ONNX files: names, element types,
/// ranks and every dimension that is fixed in the file. Symbolic dimensions (-1) match anything.
/// </summary>
internal sealed class SignatureValidator(string manifestPath)
{
    public void ValidateVision(VisionEncoderManifest m, ModelSession session)
    {
        var p = m.Preprocessing;
        Expect(session, "vision.input", m.Input, isInput: true, TensorElementType.Float, [-1, 3, p.Height, p.Width]);
        Expect(session, "vision.output", m.Output, isInput: false, TensorElementType.Float, [-1, m.Tokens, m.Width]);
    }

    public void ValidateText(TextEncoderManifest m, ModelSession session)
    {
        Expect(session, "text.inputIds", m.InputIds, isInput: true, TensorElementType.Int64, [-1, -1]);
        Expect(session, "text.attentionMask", m.AttentionMask, isInput: true, TensorElementType.Int64, [-1, -1]);
        if (m.TokenTypeIds is not null)
        {
            Expect(session, "text.tokenTypeIds", m.TokenTypeIds, isInput: true, TensorElementType.Int64, [-1, -1]);
        }
        Expect(session, "text.output", m.Output, isInput: false, TensorElementType.Float, [-1, -1, m.Width]);
        var named = new[] { m.InputIds, m.AttentionMask, m.TokenTypeIds }.OfType<string>().ToHashSet();
        var unnamed = session.Inputs.Keys.Where(k => !named.Contains(k)).ToList();
        if (unnamed.Count > 0)
        {
            throw new BundleException(
                $"{manifestPath}: {FileName(session)} takes input(s) {string.Join(", ", unnamed)} that the manifest's 'text' section does not name.");
        }
    }

    public void ValidateFusion(BundleManifest m, ModelSession session)
    {
        var f = m.Fusion;
        Expect(session, "fusion.imageTokens", f.ImageTokens, isInput: true, TensorElementType.Float, [-1, -1, m.Vision.Width]);
        Expect(session, "fusion.textTokens", f.TextTokens, isInput: true, TensorElementType.Float, [-1, -1, m.Text.Width]);
        Expect(session, "fusion.textMask", f.TextMask, isInput: true, TensorElementType.Int64, [-1, -1]);
        Expect(session, "fusion.output", f.Output, isInput: false, TensorElementType.Float, [-1, 4]);
        ExpectPresence(f, session);
    }

    /// <summary>A declared presence output must be there, [B, 1]; one that is not declared is ignored (the bundle shows no score).</summary>
    private void ExpectPresence(FusionHeadManifest f, ModelSession session)
    {
        if (f.Presence is { } presence)
        {
            Expect(session, "fusion.presence.output", presence.Output, isInput: false, TensorElementType.Float, [-1, 1]);
        }
    }

    /// <summary>The split form: each half's signature, and the image side's outputs fit the prompt side's inputs.</summary>
    public void ValidateFusionSplit(BundleManifest m, ModelSession imageSide, ModelSession promptSide)
    {
        var f = m.Fusion;
        int[] anyRank5 = [-1, -1, -1, -1, -1];
        Expect(imageSide, "fusion.imageTokens", f.ImageTokens, isInput: true, TensorElementType.Float, [-1, -1, m.Vision.Width]);
        Expect(imageSide, "fusion.imageSide", FusionHeadManifest.CrossKeys, isInput: false, TensorElementType.Float, anyRank5);
        Expect(imageSide, "fusion.imageSide", FusionHeadManifest.CrossValues, isInput: false, TensorElementType.Float, anyRank5);
        Expect(promptSide, "fusion.textTokens", f.TextTokens, isInput: true, TensorElementType.Float, [-1, -1, m.Text.Width]);
        Expect(promptSide, "fusion.textMask", f.TextMask, isInput: true, TensorElementType.Int64, [-1, -1]);
        foreach (var name in new[] { FusionHeadManifest.CrossKeys, FusionHeadManifest.CrossValues })
        {
            var produced = imageSide.Outputs[name].Dimensions;
            Expect(promptSide, "fusion.promptSide", name, isInput: true, TensorElementType.Float, [produced[0], -1, produced[2], produced[3], produced[4]]);
        }
        Expect(promptSide, "fusion.output", f.Output, isInput: false, TensorElementType.Float, [-1, 4]);
        ExpectPresence(f, promptSide);
    }

    public void ValidateVocabulary(TextEncoderManifest m, int vocabularySize, long? embeddingRows)
    {
        if (embeddingRows is { } rows && rows != vocabularySize)
        {
            throw new BundleException(
                $"{manifestPath}: field 'text.tokenizer.vocab' names {m.Tokenizer.Vocab} with {vocabularySize} entries, " +
                $"but {m.File}'s token embedding table has {rows} rows: the vocabulary does not belong to this text encoder.");
        }
    }

    private void Expect(ModelSession session, string field, string name, bool isInput, TensorElementType type, int[] expected)
    {
        var table = isInput ? session.Inputs : session.Outputs;
        var kind = isInput ? "inputs" : "outputs";
        if (!table.TryGetValue(name, out var meta))
        {
            throw new BundleException(
                $"{manifestPath}: field '{field}' names '{name}' but {FileName(session)} has {kind}: {string.Join(", ", table.Keys)}.");
        }
        if (!meta.IsTensor || meta.ElementDataType != type)
        {
            throw new BundleException(
                $"{manifestPath}: field '{field}': {FileName(session)}'s '{name}' is {Describe(meta)}, expected a {type} tensor.");
        }
        var actual = meta.Dimensions;
        if (actual.Length != expected.Length)
        {
            throw new BundleException(
                $"{manifestPath}: field '{field}': {FileName(session)}'s '{name}' has rank {actual.Length} [{string.Join(", ", actual)}], expected rank {expected.Length}.");
        }
        for (var i = 0; i < expected.Length; i++)
        {
            if (expected[i] >= 0 && actual[i] >= 0 && expected[i] != actual[i])
            {
                throw new BundleException(
                    $"{manifestPath}: field '{field}': {FileName(session)}'s '{name}' has shape [{string.Join(", ", actual)}] " +
                    $"but the manifest implies [{string.Join(", ", expected.Select(d => d < 0 ? "?" : d.ToString()))}] (dimension {i}).");
            }
        }
    }

    private static string Describe(NodeMetadata meta) => meta.IsTensor ? $"a {meta.ElementDataType} tensor" : $"a {meta.OnnxValueType} value";

    private static string FileName(ModelSession session) => System.IO.Path.GetFileName(session.Path);
}
