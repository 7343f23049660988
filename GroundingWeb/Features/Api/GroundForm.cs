using System.Text;
using Microsoft.AspNetCore.WebUtilities;
using Microsoft.Net.Http.Headers;

namespace GroundingWeb.Features.Api;

/// <summary>The parts of a POST /api/v1/ground form that matter: the image's bytes and the prompts.</summary>
internal sealed record GroundForm(byte[]? Image, long ImageBytes, IReadOnlyList<string> Prompts);

/// <summary>
/// Reads the multipart form of POST /api/v1/ground itself, with limits before reading: the image
/// up to the upload limit, each text field up to 64 KB, and text fields strictly as UTF-8. (The
/// framework's form reader honours byte-order marks, so a prompt field starting with FF FE was read
/// as UTF-16LE.)
/// </summary>
internal static class GroundFormReader
{
    private const int MaxTextFieldBytes = 64 * 1024;
    private static readonly UTF8Encoding StrictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    /// <exception cref="InvalidDataException">Not a readable multipart form, or a prompt that is not UTF-8 text.</exception>
    public static async Task<GroundForm> ReadAsync(HttpRequest request, long imageLimit, CancellationToken cancellationToken)
    {
        if (!MediaTypeHeaderValue.TryParse(request.ContentType, out var type) || !type.MediaType.Equals("multipart/form-data", StringComparison.OrdinalIgnoreCase))
        {
            throw new InvalidDataException("Send multipart/form-data with an `image` file and one or more `prompt` fields.");
        }
        var boundary = HeaderUtilities.RemoveQuotes(type.Boundary).Value;
        if (string.IsNullOrWhiteSpace(boundary) || boundary.Length > 200)
        {
            throw new InvalidDataException("The multipart form has no usable boundary.");
        }
        var reader = new MultipartReader(boundary, request.Body) { HeadersLengthLimit = 16 * 1024, HeadersCountLimit = 16 };
        byte[]? image = null;
        long imageBytes = 0;
        var prompts = new List<string>();
        MultipartSection? section;
        while ((section = await reader.ReadNextSectionAsync(cancellationToken)) is not null)
        {
            if (!ContentDispositionHeaderValue.TryParse(section.ContentDisposition, out var disposition)
                || !disposition.DispositionType.Equals("form-data", StringComparison.OrdinalIgnoreCase))
            {
                await section.Body.CopyToAsync(Stream.Null, cancellationToken);
                continue;
            }
            var name = HeaderUtilities.RemoveQuotes(disposition.Name).Value;
            if (name == "image" && disposition.IsFileDisposition())
            {
                // One byte past the limit is enough to know it is too large; nothing more is read into memory.
                var (bytes, complete, total) = await ReadUpToAsync(section.Body, imageLimit, cancellationToken);
                imageBytes = total;
                image = complete ? bytes : null;
            }
            else if (name is "prompt" or "prompts" && !disposition.IsFileDisposition())
            {
                var (bytes, complete, _) = await ReadUpToAsync(section.Body, MaxTextFieldBytes, cancellationToken);
                if (!complete)
                {
                    throw new InvalidDataException($"A `{name}` field is over {MaxTextFieldBytes / 1024} KB.");
                }
                prompts.Add(DecodeUtf8(bytes, name).Trim());
            }
            else
            {
                await section.Body.CopyToAsync(Stream.Null, cancellationToken);
            }
        }
        return new GroundForm(image, imageBytes, prompts);
    }

    private static string DecodeUtf8(byte[] bytes, string field)
    {
        var span = bytes.AsSpan();
        if (span.StartsWith((ReadOnlySpan<byte>)[0xEF, 0xBB, 0xBF])) span = span[3..];
        try
        {
            return StrictUtf8.GetString(span);
        }
        catch (DecoderFallbackException)
        {
            throw new InvalidDataException($"A `{field}` field is not UTF-8 text.");
        }
    }

    /// <summary>
    /// At most <paramref name="limit"/> bytes kept; complete is false when there were more, and the
    /// rest is only counted (the request's own size limit bounds that).
    /// </summary>
    private static async Task<(byte[] Bytes, bool Complete, long Total)> ReadUpToAsync(Stream body, long limit, CancellationToken cancellationToken)
    {
        using var buffer = new MemoryStream();
        var chunk = new byte[81920];
        long total = 0;
        int read;
        while ((read = await body.ReadAsync(chunk, cancellationToken)) > 0)
        {
            total += read;
            if (total <= limit)
            {
                buffer.Write(chunk, 0, read);
            }
        }
        return total <= limit ? (buffer.ToArray(), true, total) : ([], false, total);
    }
}
