using System.Buffers.Binary;
using System.Text;

namespace GroundingWeb.Inference.Onnx;

/// <summary>
/// Protocol-buffers wire-format writer, just enough for ONNX models. Hand-written so the library
/// needs no protobuf runtime or generated code (ONNX's schema is small and stable).
/// </summary>
internal sealed class ProtoWriter
{
    private readonly MemoryStream _stream = new();

    public long Length => _stream.Length;

    public byte[] ToArray() => _stream.ToArray();

    public void WriteTo(Stream destination) => _stream.WriteTo(destination);

    public void Int64(int field, long value)
    {
        Tag(field, WireType.Varint);
        Varint(unchecked((ulong)value));
    }

    public void Float(int field, float value)
    {
        Tag(field, WireType.Fixed32);
        Span<byte> buffer = stackalloc byte[4];
        BinaryPrimitives.WriteSingleLittleEndian(buffer, value);
        _stream.Write(buffer);
    }

    public void String(int field, string value) => Bytes(field, Encoding.UTF8.GetBytes(value));

    public void Bytes(int field, ReadOnlySpan<byte> value)
    {
        Tag(field, WireType.LengthDelimited);
        Varint((ulong)value.Length);
        _stream.Write(value);
    }

    public void Message(int field, ProtoWriter message)
    {
        Tag(field, WireType.LengthDelimited);
        Varint((ulong)message._stream.Length);
        message._stream.WriteTo(_stream);
    }

    public void Message(int field, Action<ProtoWriter> write)
    {
        var inner = new ProtoWriter();
        write(inner);
        Message(field, inner);
    }

    public void PackedInt64(int field, IEnumerable<long> values)
    {
        var inner = new ProtoWriter();
        foreach (var value in values)
        {
            inner.Varint(unchecked((ulong)value));
        }
        Message(field, inner);
    }

    public void PackedFloat(int field, IEnumerable<float> values)
    {
        var inner = new ProtoWriter();
        Span<byte> buffer = stackalloc byte[4];
        foreach (var value in values)
        {
            BinaryPrimitives.WriteSingleLittleEndian(buffer, value);
            inner._stream.Write(buffer);
        }
        Message(field, inner);
    }

    /// <summary>Copies a field exactly as it was read (tag and payload), e.g. a node of another model.</summary>
    public void Raw(ReadOnlySpan<byte> encodedField) => _stream.Write(encodedField);

    private void Tag(int field, WireType wireType) => Varint(((ulong)field << 3) | (ulong)wireType);

    private void Varint(ulong value)
    {
        while (value >= 0x80)
        {
            _stream.WriteByte((byte)(value | 0x80));
            value >>= 7;
        }
        _stream.WriteByte((byte)value);
    }
}

internal enum WireType
{
    Varint = 0,
    Fixed64 = 1,
    LengthDelimited = 2,
    Fixed32 = 5,
}
