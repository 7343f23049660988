using GroundingWeb.Authoring.Onnx;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace GroundingWeb.Cli.Training;

/// <summary>
/// The trainable fusion head (DESIGN.md section 1) in TorchSharp, with PyTorch's parameter names so
/// state dicts and the ONNX export line up: image/text projections, a post-norm
/// <c>TransformerDecoder</c> (text tokens as tgt, image tokens as memory), the box head on position 0 and,
/// when the config asks for it, the presence head beside it.
/// </summary>
internal sealed class FusionHeadModule : nn.Module<Tensor, Tensor, Tensor, Tensor>
{
    private readonly Linear _imageProj;
    private readonly Linear _textProj;
    private readonly TransformerDecoder _decoder;
    private readonly LayerNorm _headNorm;
    private readonly Linear _headHidden;
    private readonly Linear _headOut;
    private readonly Sequential? _presence;

    public FusionHeadModule(FusionHeadConfig config, double dropout = 0.1)
        : base(Prepare(config))
    {
        Config = config;
        _imageProj = nn.Linear(config.ImageDim, config.ModelDim);
        _textProj = nn.Linear(config.TextDim, config.ModelDim);
        var layer = nn.TransformerDecoderLayer(config.ModelDim, config.Heads, config.FeedForward, dropout, nn.Activations.ReLU);
        _decoder = nn.TransformerDecoder(layer, config.Layers);
        _headNorm = nn.LayerNorm(config.ModelDim);
        _headHidden = nn.Linear(config.ModelDim, FusionHeadConfig.HeadHidden);
        _headOut = nn.Linear(FusionHeadConfig.HeadHidden, 4);
        // Registered as one Sequential so that the parameters keep PyTorch's names (head.0, head.1, head.3).
        var head = nn.Sequential(("0", _headNorm), ("1", _headHidden), ("2", nn.ReLU()), ("3", _headOut), ("4", nn.Sigmoid()));
        register_module("image_proj", _imageProj);
        register_module("text_proj", _textProj);
        register_module("decoder", _decoder);
        register_module("head", head);
        if (config.Presence)
        {
            _presence = nn.Sequential(
                ("0", nn.Linear(config.ModelDim, FusionHeadConfig.HeadHidden)),
                ("1", nn.ReLU()),
                ("2", nn.Linear(FusionHeadConfig.HeadHidden, 1)));
            register_module("presence", _presence);
        }
    }

    public FusionHeadConfig Config { get; }

    /// <summary>
    /// image [B, N, Dv] float, text [B, T, Dt] float, mask [B, T] (int64 or bool; nonzero = token) -> boxes [B, 4] in [0, 1].
    /// </summary>
    public override Tensor forward(Tensor image, Tensor text, Tensor mask)
    {
        // The other outputs are freed here rather than left to the finalizer.
        using var outputs = Predict(image, text, mask);
        return outputs.Boxes.alias();
    }

    /// <summary>
    /// As <see cref="forward"/>, with the presence logits [B, 1] of a head that has a presence head (else null)
    /// and the projected text [CLS] token and mean image token [B, D] that the contrastive term compares.
    /// </summary>
    public HeadOutputs Predict(Tensor image, Tensor text, Tensor mask)
    {
        using var scope = NewDisposeScope();
        var projectedImage = _imageProj.call(image);
        var projectedText = _textProj.call(text);
        // TorchSharp's decoder is sequence-first: [T, B, E].
        var padding = mask.dtype == ScalarType.Bool ? mask.logical_not() : mask.eq(0);
        var decoded = _decoder.call(projectedText.transpose(0, 1), projectedImage.transpose(0, 1), null, null, padding, null);
        var normalized = _headNorm.call(decoded[0]);
        var boxes = _headOut.call(_headHidden.call(normalized).relu()).sigmoid();
        var presence = _presence?.call(normalized);
        return new HeadOutputs(
            boxes.MoveToOuterDisposeScope(),
            presence?.MoveToOuterDisposeScope(),
            projectedText.select(1, 0).MoveToOuterDisposeScope(),
            projectedImage.mean([1]).MoveToOuterDisposeScope());
    }

    /// <summary>Copies every parameter out, validated against <see cref="Config"/>.</summary>
    public FusionHeadWeights ExportWeights()
    {
        var tensors = new List<NamedTensor>();
        foreach (var (name, parameter) in named_parameters())
        {
            using var values = parameter.detach().cpu().to_type(ScalarType.Float32).contiguous();
            tensors.Add(new NamedTensor(name, values.shape.Select(d => checked((int)d)).ToArray(), values.data<float>().ToArray()));
        }
        return new FusionHeadWeights(Config, tensors);
    }

    /// <summary>
    /// Overwrites every parameter with the given weights, which must be for the same config; weights of a
    /// head without a presence head may start one that has it (a fine-tune adding presence), whose
    /// presence parameters keep their fresh initialisation.
    /// </summary>
    public void LoadWeights(FusionHeadWeights weights)
    {
        ArgumentNullException.ThrowIfNull(weights);
        var addingPresence = Config.Presence && weights.Config == Config with { Presence = false };
        if (weights.Config != Config && !addingPresence)
        {
            throw new ArgumentException($"The weights are for {weights.Config.ToJson()} but this module is {Config.ToJson()}.");
        }
        using var noGrad = no_grad();
        foreach (var (name, parameter) in named_parameters())
        {
            if (addingPresence && name.StartsWith("presence.", StringComparison.Ordinal))
            {
                continue;
            }
            var source = weights[name];
            using var values = tensor(source.Data, source.Shape.Select(d => (long)d).ToArray());
            parameter.copy_(values);
        }
    }

    private static string Prepare(FusionHeadConfig config)
    {
        ArgumentNullException.ThrowIfNull(config);
        config.Validate();
        // Constructing the base module already calls into libtorch.
        TorchRuntime.EnsureLoaded();
        return "FusionHead";
    }
}

/// <summary>What one forward pass gives: boxes [B, 4], presence logits [B, 1] or null, text [CLS] and mean image token [B, D].</summary>
internal sealed record HeadOutputs(Tensor Boxes, Tensor? PresenceLogits, Tensor TextClass, Tensor ImageMean) : IDisposable
{
    public void Dispose()
    {
        Boxes.Dispose();
        PresenceLogits?.Dispose();
        TextClass.Dispose();
        ImageMean.Dispose();
    }
}
