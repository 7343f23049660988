namespace GroundingWeb.Inference.Imaging;

/// <summary>Order of the colour planes in the model's input tensor.</summary>
internal enum ChannelOrder
{
    Rgb,
    Bgr,
}
