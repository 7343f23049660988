using GroundingWeb.Fuzz;

// grounding-fuzz TARGET            afl++ drives it (SharpFuzz's out-of-process loop, stdin per input)
// grounding-fuzz TARGET --replay DIR   runs every file of DIR once, in this process (what CI does)
// grounding-fuzz seed DIR          writes the seed corpus
if (args is ["seed", var corpus])
{
    Seeds.Write(corpus);
    return 0;
}
if (args.Length == 0 || !FuzzTargets.All.TryGetValue(args[0], out var target))
{
    Console.Error.WriteLine($"usage: GroundingWeb.Fuzz TARGET [--replay DIR] | seed DIR; targets: {string.Join(", ", FuzzTargets.All.Keys)}");
    return 2;
}
if (args is [_, "--replay", var folder])
{
    var files = Directory.GetFiles(folder);
    foreach (var file in files)
    {
        target(File.ReadAllBytes(file));
    }
    Console.WriteLine($"{args[0]}: {files.Length} input(s) replayed, no finding");
    return 0;
}
SharpFuzz.Fuzzer.OutOfProcess.Run(stream =>
{
    using var buffer = new MemoryStream();
    stream.CopyTo(buffer);
    target(buffer.ToArray());
});
return 0;
