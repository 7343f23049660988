using System.CommandLine;
using GroundingWeb.Cli.Commands;

namespace GroundingWeb.Cli;

internal static class GroundingCli
{
    public static Task<int> Main(string[] args)
    {
        var root = new RootCommand("grounding: visual grounding from the command line (predict, evaluate, synth, features, train, export, import, bench, init-head, twins, bundle).")
        {
            PredictCommand.Create(),
            BenchCommand.Create(),
            InitHeadCommand.Create(),
            EvaluateCommand.Create(),
            FeaturesCommand.Create(),
            TrainCommand.Create(),
            ExportCommand.Create(),
            ImportCommand.Create(),
            SynthCommand.Create(),
            TwinsCommand.Create(),
            BundleCommand.Create(),
            QuantizeCommand.Create(),
            LoadCommand.Create(),
        };
        return root.Parse(args).InvokeAsync();
    }
}
