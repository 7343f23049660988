using System.Text.RegularExpressions;
using GroundingWeb.Authoring.Onnx;
using Razorvine.Pickle;

namespace GroundingWeb.Cli.Training;

internal sealed record ImportResult(FusionHeadConfig Config, FusionHeadWeights Weights, IReadOnlyDictionary<string, string> Mapping, IReadOnlyList<string> Ignored);

/// <summary>
/// Finds the fusion head in a PyTorch state dict of the reference model, by name pattern and shape:
/// image/text projections, <c>*decoder.layers.N.*</c> and a LayerNorm-Linear-ReLU-Linear box head,
/// under any prefix. Frozen encoder tensors are ignored; any other tensor, and any name two tensors
/// would map to, is an error that lists them.
/// </summary>
internal static partial class StateDictImporter
{
    private const int ListLimit = 25;

    [GeneratedRegex(@"^(?:.*\.)?(?:image_proj|img_proj|image_projection|visual_proj|visual_projection|vision_proj|vis_proj)\.(weight|bias)$")]
    private static partial Regex ImageProjection();

    [GeneratedRegex(@"^(?:.*\.)?(?:text_proj|txt_proj|text_projection|lang_proj|language_proj)\.(weight|bias)$")]
    private static partial Regex TextProjection();

    [GeneratedRegex(@"^(?:.*\.)?\w*decoder\.layers\.(\d+)\.((?:self_attn|multihead_attn)\.(?:in_proj_weight|in_proj_bias|out_proj\.weight|out_proj\.bias)|(?:linear1|linear2|norm1|norm2|norm3)\.(?:weight|bias))$")]
    private static partial Regex DecoderLayer();

    [GeneratedRegex(@"^(?:.*\.)?(?:head|bbox_head|box_head|bbox_mlp|box_mlp|bbox_embed|bbox_regressor|reg_head|regression_head|mlp_head)\.(?:layers\.)?(\d+)\.(weight|bias)$")]
    private static partial Regex BoxHead();

    [GeneratedRegex(@"(?:^|\.)(?:vision_encoder|visual_encoder|image_encoder|img_encoder|img_model|image_model|vision_model|visual|backbone|dinov\w*|vit|text_encoder|language_encoder|text_model|bert|clip)\.|(?:^|\.)embeddings\.|(?:^|\.)encoder\.layers?\.\d+\.")]
    private static partial Regex EncoderTensor();

    /// <summary>
    /// Reads a <c>torch.save(model.state_dict())</c> file (nested dicts are flattened with dots), streaming:
    /// only tensors that may belong to the fusion head are read, as float32; the others keep their shape and no data.
    /// </summary>
    public static Dictionary<string, NamedTensor> ReadStateDict(string path)
    {
        if (!File.Exists(path))
        {
            throw new FileNotFoundException($"State dict '{path}' does not exist.");
        }
        try
        {
            return StreamingStateDictReader.Read(path, IsHeadCandidate);
        }
        catch (Exception ex) when (ex is PickleException or InvalidCastException or IndexOutOfRangeException or EndOfStreamException or FormatException)
        {
            throw new InvalidDataException($"'{path}' could not be read as a PyTorch state dict ({ex.GetType().Name}: {ex.Message}). Save it with torch.save(model.state_dict(), path).", ex);
        }
    }

    private static bool IsHeadCandidate(string key) =>
        ImageProjection().IsMatch(key) || TextProjection().IsMatch(key) || DecoderLayer().IsMatch(key) || BoxHead().IsMatch(key);

    /// <param name="heads">Attention heads: the state dict cannot tell them (in_proj packs all heads).</param>
    /// <param name="config">When given, used instead of the inferred config (and checked against the shapes).</param>
    public static ImportResult Map(IReadOnlyDictionary<string, NamedTensor> stateDict, int heads, FusionHeadConfig? config = null)
    {
        var mapping = new Dictionary<string, string>(StringComparer.Ordinal);
        var claims = new Dictionary<string, List<string>>(StringComparer.Ordinal);
        var headGroups = new SortedDictionary<int, List<(string Key, string Kind)>>();
        var unmapped = new List<string>();
        var ignored = new List<string>();

        void Claim(string target, string key) =>
            (claims.TryGetValue(target, out var list) ? list : claims[target] = []).Add(key);

        foreach (var key in stateDict.Keys.Order(StringComparer.Ordinal))
        {
            Match m;
            if ((m = ImageProjection().Match(key)).Success) Claim($"image_proj.{m.Groups[1].Value}", key);
            else if ((m = TextProjection().Match(key)).Success) Claim($"text_proj.{m.Groups[1].Value}", key);
            else if ((m = DecoderLayer().Match(key)).Success) Claim($"decoder.layers.{m.Groups[1].Value}.{m.Groups[2].Value}", key);
            else if ((m = BoxHead().Match(key)).Success)
            {
                var index = int.Parse(m.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture);
                (headGroups.TryGetValue(index, out var group) ? group : headGroups[index] = []).Add((key, m.Groups[2].Value));
            }
            else if (EncoderTensor().IsMatch(key)) ignored.Add(key);
            else unmapped.Add(key);
        }
        if (unmapped.Count > 0)
        {
            throw new InvalidDataException(
                $"{unmapped.Count} tensor(s) are neither part of the fusion head nor of a frozen encoder: {List(unmapped, stateDict)}. " +
                "Rename them to the reference names (image_proj, text_proj, decoder.layers.N.*, head.N.*) or remove them.");
        }
        MapHead(headGroups, stateDict, Claim);
        var ambiguous = claims.Where(c => c.Value.Count > 1).OrderBy(c => c.Key, StringComparer.Ordinal).Select(c => $"{c.Key} <- {string.Join(" | ", c.Value)}").ToList();
        if (ambiguous.Count > 0)
        {
            throw new InvalidDataException($"Several tensors map to the same fusion-head parameter: {string.Join("; ", ambiguous.Take(ListLimit))}. Keep one copy of the head in the state dict.");
        }
        foreach (var (target, keys) in claims)
        {
            mapping[target] = keys[0];
        }

        config ??= InferConfig(mapping, stateDict, heads);
        var expected = config.ParameterShapes().Select(p => p.Name).ToHashSet(StringComparer.Ordinal);
        var missing = expected.Where(n => !mapping.ContainsKey(n)).ToList();
        var extra = mapping.Keys.Where(n => !expected.Contains(n)).Select(n => mapping[n]).ToList();
        if (missing.Count > 0 || extra.Count > 0)
        {
            throw new InvalidDataException(
                (missing.Count > 0 ? $"The state dict lacks fusion-head parameter(s) {string.Join(", ", missing.Take(ListLimit))}. " : "") +
                (extra.Count > 0 ? $"Tensor(s) {List(extra, stateDict)} do not fit the head {config.ToJson()}." : ""));
        }
        try
        {
            var weights = new FusionHeadWeights(config, mapping.Select(p => stateDict[p.Value] with { Name = p.Key }));
            return new ImportResult(config, weights, mapping, ignored);
        }
        catch (ArgumentException ex)
        {
            throw new InvalidDataException($"The state dict does not fit the head {config.ToJson()}: {ex.Message}", ex);
        }
    }

    /// <summary>The box head's modules in index order must be LayerNorm(D), Linear(D -> 256), Linear(256 -> 4).</summary>
    private static void MapHead(SortedDictionary<int, List<(string Key, string Kind)>> groups, IReadOnlyDictionary<string, NamedTensor> stateDict, Action<string, string> claim)
    {
        // Several prefixes (e.g. a model and its EMA copy) give repeated kinds per index; they surface as ambiguity.
        string[] targets = ["head.0", "head.1", "head.3"];
        if (groups.Count != targets.Length)
        {
            var names = groups.SelectMany(g => g.Value.Select(v => v.Key)).ToList();
            throw new InvalidDataException(
                $"Expected the box head as LayerNorm, Linear, Linear (3 modules with parameters), found {groups.Count}: {List(names, stateDict)}.");
        }
        var position = 0;
        foreach (var (_, entries) in groups)
        {
            var target = targets[position++];
            var weight = entries.FirstOrDefault(e => e.Kind == "weight").Key;
            var rank = weight is null ? 0 : stateDict[weight].Shape.Length;
            if ((target == "head.0") != (rank == 1))
            {
                throw new InvalidDataException(
                    $"Box head module {position} ({string.Join(", ", entries.Select(e => e.Key))}) should be {(target == "head.0" ? "a LayerNorm (1-D weight)" : "a Linear (2-D weight)")}.");
            }
            foreach (var (key, kind) in entries)
            {
                claim($"{target}.{kind}", key);
            }
        }
    }

    private static FusionHeadConfig InferConfig(Dictionary<string, string> mapping, IReadOnlyDictionary<string, NamedTensor> stateDict, int heads)
    {
        int[] Shape(string name) => mapping.TryGetValue(name, out var key)
            ? stateDict[key].Shape
            : throw new InvalidDataException($"The state dict has no tensor for '{name}', so the head's dimensions cannot be inferred.");
        var image = Shape("image_proj.weight");
        var text = Shape("text_proj.weight");
        var hidden = Shape("head.1.weight")[0];
        if (hidden != FusionHeadConfig.HeadHidden)
        {
            throw new InvalidDataException($"The box head's hidden layer is {hidden} wide; this runtime's head is fixed at {FusionHeadConfig.HeadHidden}.");
        }
        var layers = mapping.Keys.Where(k => k.StartsWith("decoder.layers.", StringComparison.Ordinal))
            .Select(k => int.Parse(k.Split('.')[2], System.Globalization.CultureInfo.InvariantCulture)).DefaultIfEmpty(-1).Max() + 1;
        if (layers == 0)
        {
            throw new InvalidDataException("The state dict has no decoder.layers.N.* tensors.");
        }
        var config = new FusionHeadConfig(image[1], text[1], image[0], layers, heads, Shape("decoder.layers.0.linear1.weight")[0]);
        try
        {
            config.Validate();
        }
        catch (ArgumentException ex)
        {
            throw new InvalidDataException($"{ex.Message} Pass the reference's --heads.", ex);
        }
        return config;
    }

    private static string List(IReadOnlyList<string> keys, IReadOnlyDictionary<string, NamedTensor> stateDict) =>
        string.Join(", ", keys.Take(ListLimit).Select(k => $"{k} [{string.Join(", ", stateDict[k].Shape)}]")) +
        (keys.Count > ListLimit ? $" and {keys.Count - ListLimit} more" : "");
}
