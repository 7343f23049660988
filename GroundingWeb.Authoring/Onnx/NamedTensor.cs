namespace GroundingWeb.Authoring.Onnx;

/// <summary>A dense row-major float32 tensor with its parameter name.</summary>
public sealed record NamedTensor(string Name, int[] Shape, float[] Data)
{
    public long ElementCount => Shape.Aggregate(1L, (a, b) => a * b);
}
