using System.CommandLine;
using GroundingWeb.Cli.Training;
using GroundingWeb.Authoring.Onnx;

namespace GroundingWeb.Cli.Commands;

/// <summary><c>grounding import</c>: the fusion head of a PyTorch state dict of the reference model -> fusion.onnx.</summary>
internal static class ImportCommand
{
    public static Command Create()
    {
        var stateDict = new Option<string>("--state-dict") { Description = "torch.save(model.state_dict()) file of the reference model.", Required = true };
        var output = new Option<string>("--out") { Description = "Where to write the fusion-head ONNX.", Required = true };
        var config = new Option<string?>("--config") { Description = "Head config JSON (file or inline) instead of inferring it from the shapes." };
        var heads = new Option<int>("--heads") { Description = "Attention heads (shapes cannot tell them).", DefaultValueFactory = _ => 8 };
        var command = new Command("import", "Write fusion.onnx from the fusion head in a PyTorch state dict (encoder tensors are ignored).")
        {
            stateDict, output, config, heads,
        };
        command.SetAction(parse => CliErrors.Run(() =>
        {
            var given = parse.GetValue(config) is { } text ? FusionHeadConfig.FromJson(File.Exists(text) ? File.ReadAllText(text) : text) : null;
            var result = StateDictImporter.Map(StateDictImporter.ReadStateDict(parse.GetValue(stateDict)!), parse.GetValue(heads), given);
            var path = parse.GetValue(output)!;
            FusionHeadOnnxWriter.Write(path, result.Config, result.Weights);
            var (imageSide, promptSide) = FusionHeadSplit.WriteBeside(path);
            Console.WriteLine($"mapped {result.Mapping.Count} head tensors (e.g. {result.Mapping["image_proj.weight"]} -> image_proj.weight), " +
                              $"ignored {result.Ignored.Count} encoder tensors; head {result.Config.ToJson()}, {result.Config.ParameterCount:N0} parameters");
            Console.WriteLine($"wrote {path}, and its split form {imageSide} (image side) and {promptSide} (prompt side)");
            return 0;
        }));
        return command;
    }
}
