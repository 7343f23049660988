using System.Text.Json.Nodes;

namespace GroundingWeb.Tests.Support;

/// <summary>The demo bundle with an edited manifest; its large files are linked, not copied.</summary>
internal static class DemoBundleCopy
{
    public static TempFolder Create(Action<JsonNode> edit)
    {
        var folder = new TempFolder();
        foreach (var file in Directory.EnumerateFiles(RepositoryPaths.DemoBundle))
        {
            var name = Path.GetFileName(file);
            if (name is "bundle.json" || name.StartsWith('.')) continue;
            File.CreateSymbolicLink(folder.File(name), file);
        }
        var json = JsonNode.Parse(File.ReadAllText(Path.Combine(RepositoryPaths.DemoBundle, "bundle.json")))!;
        edit(json);
        File.WriteAllText(folder.File("bundle.json"), json.ToJsonString());
        return folder;
    }

    public static TempFolder Untrained() => Create(json => json["trained"] = false);
}
