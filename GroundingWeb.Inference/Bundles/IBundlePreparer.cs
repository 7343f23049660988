namespace GroundingWeb.Inference.Bundles;

/// <summary>
/// Makes the files a manifest marks with a <c>source</c> (written from a restored package rather than
/// shipped) before the bundle opens. The serving library only checks such files (present, SHA-256 as
/// stated); GroundingWeb.Authoring's <c>DemoEncoders</c> is the preparer that writes them.
/// </summary>
public interface IBundlePreparer
{
    void Prepare(string bundleDirectory, BundleManifest manifest);
}
