using System.Globalization;
using System.Text;

namespace GroundingWeb.Inference.Text;

// Hugging Face's BertPreTokenizer: split on whitespace (dropped), and make every punctuation character a word of its
// own. Punctuation is ASCII punctuation plus Unicode P*; symbols (S*) such as € ° × stay inside words.
// The library's word-or-punctuation pre-tokenizer matches \w+|\p{P}, which silently drops symbols and emoji and
// keeps '_' inside words, so words are split here instead.
internal static class BertWordSplitter
{
    // Appends the range of every word of text to words (a list the caller reuses).
    public static void Split(string text, List<Range> words)
    {
        var wordStart = -1;
        var index = 0;
        while (index < text.Length)
        {
            var rune = Rune.GetRuneAt(text, index);
            var width = rune.Utf16SequenceLength;
            if (Rune.IsWhiteSpace(rune))
            {
                Close(words, ref wordStart, index);
            }
            else if (IsPunctuation(rune))
            {
                Close(words, ref wordStart, index);
                words.Add(new Range(index, index + width));
            }
            else if (wordStart < 0)
            {
                wordStart = index;
            }

            index += width;
        }

        Close(words, ref wordStart, text.Length);
    }

    private static void Close(List<Range> words, ref int wordStart, int end)
    {
        if (wordStart >= 0)
        {
            words.Add(new Range(wordStart, end));
            wordStart = -1;
        }
    }

    private static bool IsPunctuation(Rune rune)
    {
        if (rune.IsAscii)
        {
            // Rust's is_ascii_punctuation also covers $ + < = > ^ ` | ~, which Unicode files under symbols.
            var c = (char)rune.Value;
            return c is > ' ' and < '\x7F' && !char.IsAsciiLetterOrDigit(c);
        }

        return Rune.GetUnicodeCategory(rune) is UnicodeCategory.ConnectorPunctuation or UnicodeCategory.DashPunctuation
            or UnicodeCategory.OpenPunctuation or UnicodeCategory.ClosePunctuation or UnicodeCategory.InitialQuotePunctuation
            or UnicodeCategory.FinalQuotePunctuation or UnicodeCategory.OtherPunctuation;
    }
}
