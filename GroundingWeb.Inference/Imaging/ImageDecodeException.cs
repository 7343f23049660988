namespace GroundingWeb.Inference.Imaging;

/// <summary>What is wrong with an image, so an API can answer with the right status code.</summary>
public enum ImageProblem
{
    /// <summary>Empty, truncated or undecodable bytes.</summary>
    Corrupt,

    /// <summary>Not a format the decoder reads, or a feature of one it does not support.</summary>
    Unsupported,

    /// <summary>Over the byte, side or pixel limits (decompression bombs included).</summary>
    TooLarge,
}

/// <summary>
/// The uploaded bytes are not an image this service accepts. The message is written for the person
/// who sent the image: it says what is wrong and what to do instead.
/// </summary>
public sealed class ImageDecodeException : Exception
{
    public ImageDecodeException(string message, ImageProblem problem = ImageProblem.Corrupt)
        : base(message)
    {
        Problem = problem;
    }

    public ImageDecodeException(string message, Exception innerException, ImageProblem problem = ImageProblem.Corrupt)
        : base(message, innerException)
    {
        Problem = problem;
    }

    public ImageProblem Problem { get; }
}
