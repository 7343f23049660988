using GroundingWeb.Fuzz;
using GroundingWeb.Tests.Support;

namespace GroundingWeb.Tests.Fuzz;

/// <summary>
/// The fuzzers' regression corpus, run by CI (the fuzzer itself is scripts/fuzz.sh): every seed and
/// every input a fuzzing run found and that was fixed (fuzz/crashers/TARGET) goes through its target
/// again and must end in a clear refusal or a result within 30 s, never another exception or a hang.
/// </summary>
public sealed class FuzzCorpusTests
{
    private static string Fuzz => Path.Combine(Path.GetDirectoryName(Path.GetDirectoryName(RepositoryPaths.DemoBundle))!, "fuzz");

    public static TheoryData<string> Targets => new(FuzzTargets.All.Keys);

    [Theory]
    [MemberData(nameof(Targets))]
    public async Task EveryCorpusAndCrasherInputIsHandled(string target)
    {
        var inputs = new[] { "corpus", "crashers" }
            .Select(kind => Path.Combine(Fuzz, kind, target))
            .Where(Directory.Exists)
            .SelectMany(Directory.GetFiles)
            .ToList();
        Assert.NotEmpty(inputs);
        foreach (var input in inputs)
        {
            var bytes = File.ReadAllBytes(input);
            // Some crashers were hangs: a deadline makes a regression fail instead of stalling the run.
            var run = Task.Run(() => FuzzTargets.All[target](bytes));
            var error = await Record.ExceptionAsync(() => run.WaitAsync(TimeSpan.FromSeconds(30)));
            Assert.True(error is null, $"{input}: {error}");
        }
    }
}
