using System.Text;

namespace GroundingWeb.Inference.Onnx;

/// <summary>One field of a protobuf message as it lies on the wire.</summary>
internal readonly record struct ProtoField(int Number, WireType WireType, ulong Varint, ReadOnlyMemory<byte> Payload, ReadOnlyMemory<byte> Encoded)
{
    public string AsString() => Encoding.UTF8.GetString(Payload.Span);
}

/// <summary>Protocol-buffers wire-format reader: walks the fields of one message without a schema.</summary>
internal static class ProtoReader
{
    public static IEnumerable<ProtoField> Fields(ReadOnlyMemory<byte> message)
    {
        var offset = 0;
        while (offset < message.Length)
        {
            var start = offset;
            var key = ReadVarint(message.Span, ref offset);
            var number = (int)(key >> 3);
            var wireType = (WireType)(key & 7);
            ulong varint = 0;
            ReadOnlyMemory<byte> payload = default;
            switch (wireType)
            {
                case WireType.Varint:
                    varint = ReadVarint(message.Span, ref offset);
                    break;
                case WireType.Fixed64:
                    payload = Slice(message, ref offset, 8);
                    break;
                case WireType.Fixed32:
                    payload = Slice(message, ref offset, 4);
                    break;
                case WireType.LengthDelimited:
                    var length = ReadVarint(message.Span, ref offset);
                    payload = Slice(message, ref offset, checked((int)length));
                    break;
                default:
                    throw new InvalidDataException($"Unsupported protobuf wire type {(int)wireType} at byte {start}.");
            }
            yield return new ProtoField(number, wireType, varint, payload, message[start..offset]);
        }
    }

    private static ReadOnlyMemory<byte> Slice(ReadOnlyMemory<byte> message, ref int offset, int length)
    {
        if (length < 0 || offset + length > message.Length)
        {
            throw new InvalidDataException($"Truncated protobuf field at byte {offset}.");
        }
        var slice = message.Slice(offset, length);
        offset += length;
        return slice;
    }

    private static ulong ReadVarint(ReadOnlySpan<byte> data, ref int offset)
    {
        ulong result = 0;
        for (var shift = 0; shift < 64; shift += 7)
        {
            if (offset >= data.Length)
            {
                throw new InvalidDataException("Truncated protobuf varint.");
            }
            var b = data[offset++];
            result |= (ulong)(b & 0x7F) << shift;
            if (b < 0x80)
            {
                return result;
            }
        }
        throw new InvalidDataException("Malformed protobuf varint.");
    }
}
