namespace GroundingWeb.Inference.Pipeline;

/// <summary>
/// What the image-token cache keeps for one image: the vision encoder's tokens for a whole-graph
/// fusion head, or, for a split head, only what its image side made of them (the prompt side never
/// needs the tokens again).
/// </summary>
internal sealed record EncodedImage(int ImageWidth, int ImageHeight, ImageTokens? Tokens, FusionMemory? Memory)
{
    public long SizeInBytes => (Tokens?.SizeInBytes ?? 0) + (Memory?.SizeInBytes ?? 0);
}

/// <summary>
/// A split fusion head's image side for one image: every decoder layer's cross-attention keys
/// [L, 1, H, hd, N] and values [L, 1, H, N, hd], float32 as the graph gives them (so that the split
/// form matches the whole graph to float rounding).
/// </summary>
internal sealed record FusionMemory(float[] Keys, long[] KeysShape, float[] Values, long[] ValuesShape)
{
    public long SizeInBytes => ((long)Keys.Length + Values.Length) * sizeof(float);
}
