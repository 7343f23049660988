namespace GroundingWeb.Inference.Imaging;

/// <summary>
/// The uploaded bytes are not an image this service accepts. The message is written for the person
/// who sent the image: it says what is wrong and what to do instead.
/// </summary>
public sealed class ImageDecodeException : Exception
{
    public ImageDecodeException(string message)
        : base(message)
    {
    }

    public ImageDecodeException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
