using GroundingWeb.Inference.Bundles;

namespace GroundingWeb.Cli.Bundles;

/// <summary>
/// How a DINOv3 bundle prepares images. <c>albumentations</c> is what the reference head was trained
/// with (OpenCV INTER_LINEAR on the 8-bit image, then ImageNet normalisation) and the default;
/// <c>hf-processor</c> is Hugging Face's DINOv3 image processor (rescale, antialiased bilinear on
/// the float image, normalise), for heads trained on features made that way.
/// </summary>
internal static class PreprocessingPresets
{
    public const string Albumentations = "albumentations";
    public const string HfProcessor = "hf-processor";

    private static readonly float[] ImageNetMean = [0.485f, 0.456f, 0.406f];
    private static readonly float[] ImageNetStd = [0.229f, 0.224f, 0.225f];

    public static PreprocessingManifest Get(string preset) => preset switch
    {
        Albumentations => Make("cv2-bilinear"),
        HfProcessor => Make("antialias-bilinear-float"),
        _ => throw new ArgumentException($"Unknown preprocessing preset '{preset}': use '{Albumentations}' (the reference's training, the default) or '{HfProcessor}'."),
    };

    private static PreprocessingManifest Make(string resize) => new()
    {
        Width = 224, Height = 224, Resize = resize, ChannelOrder = "rgb", Scale = 255f, Mean = ImageNetMean, Std = ImageNetStd,
    };
}
