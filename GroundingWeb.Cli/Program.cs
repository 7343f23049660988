using System.CommandLine;
using GroundingWeb.Cli.Commands;

namespace GroundingWeb.Cli;

internal static class GroundingCli
{
    public static Task<int> Main(string[] args)
    {
        var root = new RootCommand("grounding: visual grounding from the command line (predict, bench, init-head, synth).")
        {
            PredictCommand.Create(),
            BenchCommand.Create(),
            InitHeadCommand.Create(),
            SynthCommand.Create(),
        };
        return root.Parse(args).InvokeAsync();
    }
}
