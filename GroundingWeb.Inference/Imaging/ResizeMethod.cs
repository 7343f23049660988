namespace GroundingWeb.Inference.Imaging;

/// <summary>How an image is resized to the model's input size; must match what the model was trained with.</summary>
internal enum ResizeMethod
{
    /// <summary>OpenCV <c>INTER_LINEAR</c> on uint8 (albumentations <c>Resize</c>): half-pixel centres, two taps, no antialias.</summary>
    Cv2Bilinear,

    /// <summary>Pillow <c>Image.resize(BILINEAR)</c> (torchvision antialias): triangle filter widened when downscaling.</summary>
    AntialiasBilinear,

    /// <summary>
    /// torchvision <c>resize(antialias=True)</c> on the float image (Hugging Face's DINOv3 processor): the same
    /// triangle filter as Pillow without the 8-bit rounding; the floats go straight to normalisation.
    /// </summary>
    AntialiasBilinearFloat,
}
