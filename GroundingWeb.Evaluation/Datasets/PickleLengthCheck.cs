using System.Buffers.Binary;

namespace GroundingWeb.Evaluation.Datasets;

/// <summary>
/// Walks a pickle's opcodes (protocols 0 to 5, as pickletools lists them) before Razorvine unpickles it,
/// and refuses one whose length fields claim more bytes than the file has left, or an opcode no
/// protocol defines. The unpickler allocates what a field claims before it reads: 14 bytes claiming a
/// 2 GB string were an OutOfMemoryException. Checked here, every allocation is bounded by the file.
/// </summary>
internal static class PickleLengthCheck
{
    public static void Check(ReadOnlySpan<byte> pickle, string file)
    {
        var at = 0;
        while (at < pickle.Length)
        {
            var opcode = pickle[at];
            var offset = at;
            at++;
            var argument = ArgumentLength(opcode, pickle[at..], out var known);
            if (!known)
            {
                throw Bad(file, offset, $"has the byte 0x{opcode:X2}, which is no pickle opcode");
            }
            if (argument < 0 || argument > pickle.Length - at)
            {
                throw Bad(file, offset, $"has an opcode 0x{opcode:X2} whose data runs past the end of the file ({pickle.Length} bytes)");
            }
            at += (int)argument;
            if (opcode == (byte)'.')
            {
                return;
            }
        }
        throw Bad(file, pickle.Length, "ends without the STOP opcode (the file is cut short)");
    }

    /// <summary>Bytes that follow the opcode: its fixed arguments plus the data a length field announces (-1: cut short).</summary>
    private static long ArgumentLength(byte opcode, ReadOnlySpan<byte> rest, out bool known)
    {
        known = true;
        switch (opcode)
        {
            // No argument.
            case (byte)'(' or (byte)'.' or (byte)'0' or (byte)'1' or (byte)'2' or (byte)'N' or (byte)'Q' or (byte)'R'
                or (byte)'a' or (byte)'b' or (byte)'d' or (byte)'}' or (byte)'e' or (byte)'l' or (byte)']' or (byte)'o'
                or (byte)'s' or (byte)'t' or (byte)')' or (byte)'u'
                or 0x81 or 0x85 or 0x86 or 0x87 or 0x88 or 0x89 or 0x8f or 0x90 or 0x91 or 0x92 or 0x93 or 0x94 or 0x97 or 0x98:
                return 0;
            // Fixed-size arguments.
            case (byte)'K' or (byte)'h' or (byte)'q' or 0x80 or 0x82:
                return 1;
            case (byte)'M' or 0x83:
                return 2;
            case (byte)'J' or (byte)'j' or (byte)'r' or 0x84:
                return 4;
            case (byte)'G':
                return 8;
            // One newline-terminated line (protocol 0 text arguments).
            case (byte)'F' or (byte)'I' or (byte)'L' or (byte)'P' or (byte)'S' or (byte)'V' or (byte)'g' or (byte)'p':
                return Lines(rest, 1);
            case (byte)'c' or (byte)'i':
                return Lines(rest, 2);
            // A length, then that many bytes.
            case (byte)'U' or (byte)'C' or 0x8c or 0x8a:
                return rest.Length < 1 ? -1 : 1L + rest[0];
            // A 4-byte length (signed for BINSTRING and LONG4: read unsigned, a negative one is refused as too long).
            case (byte)'T' or (byte)'X' or (byte)'B' or 0x8b:
                return rest.Length < 4 ? -1 : 4L + BinaryPrimitives.ReadUInt32LittleEndian(rest);
            case 0x8d or 0x8e or 0x96:
                return rest.Length < 8 ? -1 : 8L + (long)Math.Min(BinaryPrimitives.ReadUInt64LittleEndian(rest), (ulong)int.MaxValue);
            // FRAME: an 8-byte frame size; the frame's opcodes follow and are walked like the rest.
            case 0x95:
                return rest.Length < 8 || BinaryPrimitives.ReadUInt64LittleEndian(rest) > (ulong)(rest.Length - 8) ? -1 : 8;
            default:
                known = false;
                return 0;
        }
    }

    private static long Lines(ReadOnlySpan<byte> rest, int count)
    {
        var length = 0;
        for (var line = 0; line < count; line++)
        {
            var end = rest[length..].IndexOf((byte)'\n');
            if (end < 0)
            {
                return -1;
            }
            length += end + 1;
        }
        return length;
    }

    private static InvalidDataException Bad(string file, int offset, string problem) =>
        new($"{file} is not a readable Python pickle: at byte {offset} it {problem}.");
}
