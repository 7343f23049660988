using System.Text;

namespace GroundingWeb.Evaluation.Datasets;

/// <summary>
/// Reads lines like <see cref="StreamReader.ReadLine"/> but refuses one longer than a limit as it reads
/// it: a 1 GB file of zero bytes (no line break anywhere) was a 1 GB string, then an OutOfMemoryException.
/// Strict UTF-8: bytes that are not UTF-8 are an error, not replacement characters.
/// </summary>
internal sealed class BoundedLineReader(Stream stream, int maxCharacters, string file) : IDisposable
{
    private readonly StreamReader _reader = new(stream, new UTF8Encoding(false, throwOnInvalidBytes: true), detectEncodingFromByteOrderMarks: true, bufferSize: 1 << 16);
    private readonly StringBuilder _line = new();
    private long _lineNumber;

    /// <summary>The next line without its terminator (\n or \r\n), or null at the end.</summary>
    /// <exception cref="InvalidDataException">The line is longer than the limit or not UTF-8.</exception>
    public string? ReadLine()
    {
        _line.Clear();
        _lineNumber++;
        var started = false;
        try
        {
            while (_reader.Read() is var next && next != -1)
            {
                started = true;
                if (next == '\n')
                {
                    return Finish();
                }
                if (_line.Length >= maxCharacters)
                {
                    throw new InvalidDataException($"{file} line {_lineNumber} is longer than {maxCharacters:N0} characters: not a JSON Lines record.");
                }
                _line.Append((char)next);
            }
            return started ? Finish() : null;
        }
        catch (DecoderFallbackException e)
        {
            throw new InvalidDataException($"{file} line {_lineNumber} is not UTF-8: {e.Message}", e);
        }
    }

    private string Finish()
    {
        if (_line.Length > 0 && _line[^1] == '\r')
        {
            _line.Length--;
        }
        return _line.ToString();
    }

    public void Dispose() => _reader.Dispose();
}
