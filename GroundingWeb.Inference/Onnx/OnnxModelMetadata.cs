namespace GroundingWeb.Inference.Onnx;

/// <summary>Reads ModelProto.metadata_props without parsing the rest of the model.</summary>
internal static class OnnxModelMetadata
{
    private const int ModelMetadataProps = 14;

    public static IReadOnlyDictionary<string, string> ReadProperties(ReadOnlyMemory<byte> model)
    {
        var properties = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var field in ProtoReader.Fields(model))
        {
            if (field.Number != ModelMetadataProps || field.WireType != WireType.LengthDelimited)
            {
                continue;
            }
            string? key = null, value = null;
            foreach (var entry in ProtoReader.Fields(field.Payload))
            {
                if (entry.Number == 1)
                {
                    key = entry.AsString();
                }
                else if (entry.Number == 2)
                {
                    value = entry.AsString();
                }
            }
            if (key is not null)
            {
                properties[key] = value ?? string.Empty;
            }
        }
        return properties;
    }
}
