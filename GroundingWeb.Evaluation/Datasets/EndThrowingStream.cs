namespace GroundingWeb.Evaluation.Datasets;

/// <summary>
/// A read-only stream whose end is an error for a byte-by-byte read: Parquet.Net's Thrift decoder takes the
/// -1 that <see cref="Stream.ReadByte"/> returns there for data and never stops. Used for the footer check
/// and around the file while its rows are read (page headers are decoded the same way).
/// </summary>
internal sealed class EndThrowingStream(Stream inner, bool leaveOpen = false) : Stream
{
    public EndThrowingStream(byte[] bytes) : this(new MemoryStream(bytes, writable: false)) { }

    public override int ReadByte() =>
        inner.ReadByte() is var b and >= 0 ? b : throw new EndOfStreamException("read past the end of the parquet data");

    public override int Read(byte[] buffer, int offset, int count) => inner.Read(buffer, offset, count);
    public override int Read(Span<byte> buffer) => inner.Read(buffer);
    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) => inner.ReadAsync(buffer, offset, count, cancellationToken);
    public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default) => inner.ReadAsync(buffer, cancellationToken);
    public override long Seek(long offset, SeekOrigin origin) => inner.Seek(offset, origin);
    public override bool CanRead => true;
    public override bool CanSeek => inner.CanSeek;
    public override bool CanWrite => false;
    public override long Length => inner.Length;

    public override long Position
    {
        get => inner.Position;
        set => inner.Position = value;
    }

    public override void Flush() { }
    public override void SetLength(long value) => throw new NotSupportedException();
    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();

    protected override void Dispose(bool disposing)
    {
        if (disposing && !leaveOpen)
        {
            inner.Dispose();
        }
        base.Dispose(disposing);
    }
}
