using System.Buffers.Binary;
using System.Text;

namespace GroundingWeb.Cli.Training;

/// <summary>
/// Marks symbol-version requirements (ELF <c>.gnu.version_r</c> entries) of a 64-bit little-endian
/// shared library as weak, so the dynamic loader accepts a library whose required version is absent.
/// Only the two-byte <c>vna_flags</c> fields change; the file keeps its size and layout.
/// </summary>
internal static class ElfVersionPatcher
{
    private const uint ShtGnuVerneed = 0x6ffffffe;
    private const ushort VerFlagWeak = 0x2;

    /// <summary>Returns how many requirements named <paramref name="version"/> were made weak (already weak ones count too).</summary>
    public static int MarkVersionWeak(Span<byte> elf, string version)
    {
        if (elf.Length < 64 || !elf[..4].SequenceEqual("\u007fELF"u8) || elf[4] != 2 || elf[5] != 1)
        {
            throw new InvalidDataException("Not a 64-bit little-endian ELF file.");
        }
        var sectionTable = checked((int)U64(elf, 0x28));
        var sectionSize = U16(elf, 0x3A);
        var sectionCount = U16(elf, 0x3C);
        var patched = 0;
        for (var s = 0; s < sectionCount; s++)
        {
            var header = sectionTable + s * sectionSize;
            if (U32(elf, header + 4) != ShtGnuVerneed)
            {
                continue;
            }
            var offset = checked((int)U64(elf, header + 0x18));
            var stringTableHeader = sectionTable + (int)U32(elf, header + 0x28) * sectionSize;
            var strings = checked((int)U64(elf, stringTableHeader + 0x18));
            var entryCount = U32(elf, header + 0x2C);
            var need = offset;
            for (var n = 0; n < entryCount; n++)
            {
                var auxCount = U16(elf, need + 2);
                var aux = need + (int)U32(elf, need + 8);
                for (var a = 0; a < auxCount; a++)
                {
                    if (CString(elf, strings + (int)U32(elf, aux + 8)) == version)
                    {
                        BinaryPrimitives.WriteUInt16LittleEndian(elf[(aux + 4)..], (ushort)(U16(elf, aux + 4) | VerFlagWeak));
                        patched++;
                    }
                    aux += (int)U32(elf, aux + 12);
                }
                need += (int)U32(elf, need + 12);
            }
        }
        return patched;
    }

    private static ushort U16(ReadOnlySpan<byte> data, int offset) => BinaryPrimitives.ReadUInt16LittleEndian(data[offset..]);

    private static uint U32(ReadOnlySpan<byte> data, int offset) => BinaryPrimitives.ReadUInt32LittleEndian(data[offset..]);

    private static ulong U64(ReadOnlySpan<byte> data, int offset) => BinaryPrimitives.ReadUInt64LittleEndian(data[offset..]);

    private static string CString(ReadOnlySpan<byte> data, int offset)
    {
        var length = data[offset..].IndexOf((byte)0);
        return Encoding.ASCII.GetString(data.Slice(offset, length));
    }
}
