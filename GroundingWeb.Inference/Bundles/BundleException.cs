namespace GroundingWeb.Inference.Bundles;

/// <summary>A bundle that cannot be used: the message names the file and the field at fault.</summary>
public sealed class BundleException(string message, Exception? inner = null) : Exception(message, inner);
