using GroundingWeb.Authoring.Onnx;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace GroundingWeb.Cli.Training;

/// <summary>
/// The trainable fusion head (DESIGN.md section 1) in TorchSharp, with PyTorch's parameter names so
/// state dicts and the ONNX export line up: image/text projections, a post-norm
/// <c>TransformerDecoder</c> (text tokens as tgt, image tokens as memory), and the box head on position 0.
/// </summary>
internal sealed class FusionHeadModule : nn.Module<Tensor, Tensor, Tensor, Tensor>
{
    private readonly Linear _imageProj;
    private readonly Linear _textProj;
    private readonly TransformerDecoder _decoder;
    private readonly Sequential _head;

    public FusionHeadModule(FusionHeadConfig config, double dropout = 0.1)
        : base(Prepare(config))
    {
        Config = config;
        _imageProj = nn.Linear(config.ImageDim, config.ModelDim);
        _textProj = nn.Linear(config.TextDim, config.ModelDim);
        var layer = nn.TransformerDecoderLayer(config.ModelDim, config.Heads, config.FeedForward, dropout, nn.Activations.ReLU);
        _decoder = nn.TransformerDecoder(layer, config.Layers);
        _head = nn.Sequential(
            ("0", nn.LayerNorm(config.ModelDim)),
            ("1", nn.Linear(config.ModelDim, FusionHeadConfig.HeadHidden)),
            ("2", nn.ReLU()),
            ("3", nn.Linear(FusionHeadConfig.HeadHidden, 4)),
            ("4", nn.Sigmoid()));
        register_module("image_proj", _imageProj);
        register_module("text_proj", _textProj);
        register_module("decoder", _decoder);
        register_module("head", _head);
    }

    public FusionHeadConfig Config { get; }

    /// <summary>
    /// image [B, N, Dv] float, text [B, T, Dt] float, mask [B, T] (int64 or bool; nonzero = token) -> boxes [B, 4] in [0, 1].
    /// </summary>
    public override Tensor forward(Tensor image, Tensor text, Tensor mask)
    {
        using var scope = NewDisposeScope();
        // TorchSharp's decoder is sequence-first: [T, B, E].
        var memory = _imageProj.call(image).transpose(0, 1);
        var target = _textProj.call(text).transpose(0, 1);
        var padding = mask.dtype == ScalarType.Bool ? mask.logical_not() : mask.eq(0);
        var decoded = _decoder.call(target, memory, null, null, padding, null);
        return _head.call(decoded[0]).MoveToOuterDisposeScope();
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

    /// <summary>Overwrites every parameter with the given weights (which must be for the same config).</summary>
    public void LoadWeights(FusionHeadWeights weights)
    {
        ArgumentNullException.ThrowIfNull(weights);
        if (weights.Config != Config)
        {
            throw new ArgumentException($"The weights are for {weights.Config.ToJson()} but this module is {Config.ToJson()}.");
        }
        using var noGrad = no_grad();
        foreach (var (name, parameter) in named_parameters())
        {
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
