namespace GroundingWeb.Inference.Imaging;

/// <summary>
/// How a bundle turns an RGB image into its input tensor: resize to <paramref name="Width"/> x <paramref name="Height"/>,
/// then <c>(v / Scale - Mean[c]) / Std[c]</c>, written CHW in <paramref name="ChannelOrder"/>.
/// Mean and Std are indexed by tensor plane <c>c</c>, so for <see cref="ChannelOrder.Bgr"/> Mean[0] is the blue mean.
/// </summary>
internal sealed record ImagePreprocessing(
    int Width,
    int Height,
    ResizeMethod Resize,
    ChannelOrder ChannelOrder,
    float Scale,
    float[] Mean,
    float[] Std);
