using System.Buffers.Binary;
using System.Reflection;
using Parquet;

namespace GroundingWeb.Evaluation.Datasets;

/// <summary>
/// Parses a parquet file's footer (its Thrift FileMetaData) once with Parquet.Net's own decoder over a
/// stream that throws at its end, before Parquet.Net parses it for real. Parquet.Net 6.1.0 copies the
/// footer into a MemoryStream and reads varints byte by byte, taking the -1 of the stream's end for a
/// byte with the continuation bit set: a damaged footer whose decoding runs past its end looped for
/// ever (fuzzing found thirteen). Its decoder reads fields by id, not by wire type, so no independent walk
/// of the bytes can predict where it goes; running the same code is what can. The decoding is
/// deterministic, so a footer that decodes here without reaching the end decodes the same way later.
/// </summary>
internal static class ParquetFooterCheck
{
    private static readonly Assembly ParquetAssembly = typeof(ParquetReader).Assembly;
    private static readonly Type ProtocolReader = ParquetAssembly.GetType("Parquet.Meta.Proto.ThriftCompactProtocolReader", throwOnError: true)!;
    private static readonly MethodInfo ReadMetadata = ParquetAssembly.GetType("Parquet.Meta.FileMetaData", throwOnError: true)!
        .GetMethod("Read", BindingFlags.Static | BindingFlags.Public | BindingFlags.NonPublic, [ProtocolReader])
        ?? throw new MissingMethodException("Parquet.Meta.FileMetaData.Read(ThriftCompactProtocolReader) is gone: Parquet.Net changed; check ParquetFooterCheck against it.");

    public static void Check(Stream stream, string file)
    {
        var footer = ReadFooter(stream, file);
        using var bounded = new EndThrowingStream(footer);
        try
        {
            ReadMetadata.Invoke(null, [Activator.CreateInstance(ProtocolReader, bounded)]);
        }
        catch (TargetInvocationException e) when (e.InnerException is EndOfStreamException)
        {
            throw Bad(file, "has a damaged footer: its metadata runs past the footer's end");
        }
        catch (TargetInvocationException e) when (e.InnerException is { } inner and not (OperationCanceledException or OutOfMemoryException))
        {
            throw Bad(file, $"has a damaged footer ({inner.Message})");
        }
    }

    private static byte[] ReadFooter(Stream stream, string file)
    {
        var length = stream.Length;
        if (length < 12)
        {
            throw Bad(file, $"is {length} bytes, shorter than a parquet file's header and footer (12 bytes)");
        }

        Span<byte> tail = stackalloc byte[8];
        stream.Position = length - 8;
        stream.ReadExactly(tail);
        if (!tail[4..].SequenceEqual("PAR1"u8))
        {
            throw Bad(file, "does not end with the parquet magic bytes PAR1");
        }

        var footerLength = BinaryPrimitives.ReadInt32LittleEndian(tail);
        if (footerLength <= 0 || footerLength > length - 12)
        {
            throw Bad(file, $"claims a footer of {footerLength} bytes in a file of {length}");
        }

        var footer = new byte[footerLength];
        stream.Position = length - 8 - footerLength;
        stream.ReadExactly(footer);
        stream.Position = 0;
        return footer;
    }

    private static InvalidDataException Bad(string file, string what) =>
        new($"{file} is not a readable parquet file: it {what}.");
}
