namespace GroundingWeb.Inference.Imaging;

/// <summary>Order of the colour planes in the model's input tensor.</summary>
public enum ChannelOrder
{
    Rgb,
    Bgr,
}
