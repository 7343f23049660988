using GroundingWeb.Inference.Runtime;
using Microsoft.Extensions.Options;

namespace GroundingWeb.Inference.Hosting;

/// <summary>Fails start-up with the key and the value when the bundle folder is not there.</summary>
internal sealed class InferenceOptionsValidator : IValidateOptions<InferenceOptions>
{
    public ValidateOptionsResult Validate(string? name, InferenceOptions options)
    {
        var resolved = BundlePathResolver.Resolve(options.BundlePath);
        if (!Directory.Exists(resolved))
        {
            return ValidateOptionsResult.Fail(
                $"{InferenceOptions.SectionName}:BundlePath is '{options.BundlePath}' but no such folder exists (looked for {resolved}). " +
                "Point it at a bundle folder holding bundle.json, e.g. models/demo.");
        }
        if (!File.Exists(Path.Combine(resolved, "bundle.json")))
        {
            return ValidateOptionsResult.Fail($"{InferenceOptions.SectionName}:BundlePath '{resolved}' holds no bundle.json.");
        }
        return ValidateOptionsResult.Success;
    }
}
