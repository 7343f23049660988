using System.Globalization;
using System.Text;

namespace GroundingWeb.Inference.Text;

// Hugging Face's BertNormalizer (tokenizers, Rust): clean_text, handle_chinese_chars, and for uncased vocabularies
// strip_accents + lowercase, in that order.
// Microsoft.ML.Tokenizers' own BertNormalizer differs in ways that change ids: it drops \t \n \r instead of turning
// them into spaces, keeps Cf/Co characters (U+200B, U+00AD, U+FEFF, U+E000), strips Mc marks as well as Mn,
// lowercases only Lu, and re-composes to NFC at the end (which glues Hangul jamo back into syllables). So this runs
// first and the library's normalizer is switched off.
// Character categories come from .NET's Unicode tables; HF uses older ones (unicode_categories 0.1.1), so characters
// assigned in recent Unicode versions may be classified differently.
internal static class BertTextNormalizer
{
    public static string Normalize(string text, bool lowerCase)
    {
        var cleaned = CleanAndSpaceCjk(text);
        if (!lowerCase || cleaned.Length == 0)
        {
            return cleaned;
        }

        // HF: strip_accents defaults to lowercase; accents go first (NFD, drop Mn), then each scalar is lowercased.
        var decomposed = Decompose(cleaned);
        var builder = new StringBuilder(decomposed.Length);
        foreach (var rune in decomposed.EnumerateRunes())
        {
            if (Rune.GetUnicodeCategory(rune) == UnicodeCategory.NonSpacingMark)
            {
                continue;
            }

            // Simple (per-scalar) mapping, as Rust's char::to_lowercase: Greek capital sigma always becomes σ, never ς.
            builder.Append(Rune.ToLowerInvariant(rune));
        }

        return builder.ToString();
    }

    private static string Decompose(string text)
    {
        // .NET refuses to normalise a string holding the noncharacter U+FFFE, which HF keeps as an ordinary (unknown)
        // character. Noncharacters never decompose or combine, so normalising around them gives the same result.
        if (!text.Contains(NonCharacter, StringComparison.Ordinal))
        {
            return text.Normalize(NormalizationForm.FormD);
        }

        var parts = text.Split(NonCharacter);
        return string.Join(NonCharacter, parts.Select(part => part.Normalize(NormalizationForm.FormD)));
    }

    private const char NonCharacter = '\uFFFE';

    private static string CleanAndSpaceCjk(string text)
    {
        var builder = new StringBuilder(text.Length + 8);
        var span = text.AsSpan();
        while (!span.IsEmpty)
        {
            // A lone surrogate cannot occur in a Rust string; drop it like any other non-character.
            var status = Rune.DecodeFromUtf16(span, out var rune, out var consumed);
            span = span[consumed..];
            if (status != System.Buffers.OperationStatus.Done || IsRemoved(rune))
            {
                continue;
            }

            if (IsWhitespace(rune))
            {
                builder.Append(' ');
            }
            else if (IsCjkIdeograph(rune.Value))
            {
                builder.Append(' ').Append(rune).Append(' ');
            }
            else
            {
                builder.Append(rune);
            }
        }

        return builder.ToString();
    }

    private static bool IsRemoved(Rune rune)
    {
        if (rune.Value is 0 or 0xFFFD)
        {
            return true;
        }

        if (rune.Value is '\t' or '\n' or '\r')
        {
            return false;
        }

        // Rust's is_other() in unicode_categories is Cc | Cf | Co; unassigned code points (Cn) are kept.
        return Rune.GetUnicodeCategory(rune) is UnicodeCategory.Control or UnicodeCategory.Format or UnicodeCategory.PrivateUse;
    }

    // Only reached for characters that survived IsRemoved: \t \n \r plus the Zs, Zl and Zp separators.
    private static bool IsWhitespace(Rune rune) => Rune.IsWhiteSpace(rune);

    // The CJK ideograph blocks HF spaces out (its table starts Extension E at U+2B920, not U+2B820).
    internal static bool IsCjkIdeograph(int codePoint) => codePoint switch
    {
        >= 0x4E00 and <= 0x9FFF => true,
        >= 0x3400 and <= 0x4DBF => true,
        >= 0x20000 and <= 0x2A6DF => true,
        >= 0x2A700 and <= 0x2B73F => true,
        >= 0x2B740 and <= 0x2B81F => true,
        >= 0x2B920 and <= 0x2CEAF => true,
        >= 0xF900 and <= 0xFAFF => true,
        >= 0x2F800 and <= 0x2FA1F => true,
        _ => false,
    };
}
