namespace GroundingWeb.Evaluation.Datasets;

/// <summary>Split names as the rest of the code knows them (RefCOCO UNC: train, val, testA, testB).</summary>
internal static class SplitNames
{
    /// <summary>
    /// Hugging Face jxu124/refcoco calls its splits train/validation/test/testB, where "test" is
    /// UNC's testA (DESIGN.md section 5).
    /// </summary>
    public static string FromParquet(string split) => split switch
    {
        "validation" => "val",
        "test" => "testA",
        _ => split,
    };

    /// <summary>
    /// The split a file name implies: the name up to its first '-' or '.', so that
    /// validation-00000-of-00001.parquet gives "validation" and val.jsonl gives "val".
    /// </summary>
    public static string FromFileName(string path)
    {
        var name = Path.GetFileNameWithoutExtension(path);
        var dash = name.IndexOf('-', StringComparison.Ordinal);
        return dash > 0 ? name[..dash] : name;
    }
}
