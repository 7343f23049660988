using System.ComponentModel.DataAnnotations;
using Microsoft.Extensions.Options;

namespace GroundingWeb.Data;

/// <summary>Where the app keeps its database and image files (section <c>Data</c>).</summary>
public sealed class DataOptions
{
    public const string SectionName = "Data";

    /// <summary>Folder for groundingweb.db, images/ and thumbs/; relative paths are under the content root.</summary>
    [Required]
    public string Folder { get; set; } = "App_Data";

    /// <summary>
    /// Leftovers (temp files, image files no row refers to) younger than this are kept by the sweep: long
    /// enough for any write in progress, on this instance or another sharing the folder, to finish.
    /// </summary>
    [Range(0, 86400)]
    public int SweepGraceSeconds { get; set; } = 120;

    /// <summary>Minutes between sweeps after the one at start; 0 sweeps only at start.</summary>
    [Range(0, 10080)]
    public int SweepIntervalMinutes { get; set; } = 60;

    /// <summary>Set by start-up: <see cref="Folder"/> made absolute.</summary>
    internal string FullPath { get; set; } = "";

    public string DatabasePath => Path.Combine(FullPath, "groundingweb.db");
    public string ImagesPath => Path.Combine(FullPath, "images");
    public string ThumbnailsPath => Path.Combine(FullPath, "thumbs");
}

/// <summary>Makes the folder absolute and checks at start that it can be created and written.</summary>
internal sealed class DataOptionsSetup(IWebHostEnvironment environment) : IPostConfigureOptions<DataOptions>, IValidateOptions<DataOptions>
{
    public void PostConfigure(string? name, DataOptions options) =>
        options.FullPath = Path.GetFullPath(Path.Combine(environment.ContentRootPath, options.Folder ?? ""));

    public ValidateOptionsResult Validate(string? name, DataOptions options)
    {
        try
        {
            Directory.CreateDirectory(options.FullPath);
            var probe = Path.Combine(options.FullPath, $".write-test-{Guid.NewGuid():N}");
            File.WriteAllBytes(probe, []);
            File.Delete(probe);
            return ValidateOptionsResult.Success;
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return ValidateOptionsResult.Fail(
                $"{DataOptions.SectionName}:Folder is '{options.Folder}' ({options.FullPath}) but the app cannot write there: {ex.Message}");
        }
    }
}
