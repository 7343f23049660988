using System.CommandLine;
using GroundingWeb.Authoring.Onnx;

namespace GroundingWeb.Cli.Commands;

/// <summary>
/// <c>grounding init-head</c>: writes a fusion head with freshly initialised (untrained) weights, the
/// starting point of a bundle before training and what the demo bundle ships until it is trained.
/// </summary>
internal static class InitHeadCommand
{
    public static Command Create()
    {
        var output = new Option<string>("--out") { Description = "Where to write the ONNX file.", Required = true };
        var imageDim = new Option<int>("--image-dim") { Description = "Width of the vision encoder's tokens.", DefaultValueFactory = _ => 768 };
        var textDim = new Option<int>("--text-dim") { Description = "Width of the text encoder's tokens.", DefaultValueFactory = _ => 384 };
        var modelDim = new Option<int>("--model-dim") { Description = "Decoder width.", DefaultValueFactory = _ => 512 };
        var layers = new Option<int>("--layers") { Description = "Decoder layers.", DefaultValueFactory = _ => 6 };
        var heads = new Option<int>("--heads") { Description = "Attention heads.", DefaultValueFactory = _ => 8 };
        var feedForward = new Option<int>("--feed-forward") { Description = "Feed-forward width.", DefaultValueFactory = _ => 2048 };
        var seed = new Option<int>("--seed") { Description = "Random seed of the initial weights.", DefaultValueFactory = _ => 1 };
        var command = new Command("init-head", "Write an untrained fusion head (defaults: the reference configuration).")
        {
            output, imageDim, textDim, modelDim, layers, heads, feedForward, seed,
        };
        command.SetAction(parse => CliErrors.Run(() =>
        {
            var config = new FusionHeadConfig(parse.GetValue(imageDim), parse.GetValue(textDim), parse.GetValue(modelDim),
                parse.GetValue(layers), parse.GetValue(heads), parse.GetValue(feedForward));
            var path = parse.GetValue(output)!;
            FusionHeadOnnxWriter.Write(path, config, FusionHeadWeights.CreateRandom(config, parse.GetValue(seed)));
            Console.WriteLine($"wrote {path}: {config.ParameterCount:N0} parameters, untrained");
            return 0;
        }));
        return command;
    }
}
