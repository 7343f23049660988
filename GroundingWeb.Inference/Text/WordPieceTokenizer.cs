using System.Text;
using Microsoft.ML.Tokenizers;

namespace GroundingWeb.Inference.Text;

// Microsoft.ML.Tokenizers' BertTokenizer supplies the vocabulary and the greedy longest-match WordPiece step.
// Normalisation, word splitting, special-token literals and the word-length limit are done here, because the
// library's versions of them give different ids (92 of the 130 HF fixture lines with its own settings; see
// BertTextNormalizer and BertWordSplitter for the differences).
/// <summary>
/// BERT WordPiece tokenizer that gives the same ids as Hugging Face's fast <c>BertTokenizer</c>
/// (<c>[CLS] ... [SEP]</c>, clean_text, CJK splitting, accent stripping and lower-casing for uncased vocabularies).
/// Thread-safe: it holds no state between calls.
/// </summary>
internal sealed class WordPieceTokenizer
{
    // HF WordPiece max_input_chars_per_word, counted in Unicode scalars after normalisation.
    private const int MaxWordScalars = 100;

    private const string Classification = "[CLS]";
    private const string Separator = "[SEP]";
    private const string Padding = "[PAD]";
    private const string Unknown = "[UNK]";
    private const string Masking = "[MASK]";

    private readonly BertTokenizer _bert;
    private readonly bool _lowerCase;

    // Literal special tokens in the raw text are matched before normalisation and case-sensitively, as HF does
    // for added tokens with normalized=false ("[MASK]" is one token, "[mask]" is three).
    private readonly (string Literal, int Id)[] _specialLiterals;

    private WordPieceTokenizer(BertTokenizer bert, bool lowerCase, int maxTokens, int vocabularySize, (string, int)[] specialLiterals)
    {
        _bert = bert;
        _lowerCase = lowerCase;
        MaxTokens = maxTokens;
        VocabularySize = vocabularySize;
        _specialLiterals = specialLiterals;
    }

    /// <summary>Number of lines in the vocabulary file (token id = 0-based line number).</summary>
    public int VocabularySize { get; }

    /// <summary>Most ids <see cref="Encode"/> returns, [CLS] and [SEP] included.</summary>
    public int MaxTokens { get; }

    /// <summary>Creates a tokenizer from a <c>vocab.txt</c> stream (one token per line, LF or CRLF).</summary>
    /// <param name="vocab">The vocabulary; read to the end, not disposed.</param>
    /// <param name="lowerCase">True for uncased vocabularies: strip accents and lower-case, as HF does.</param>
    /// <param name="maxTokens">Longest encoding, [CLS] and [SEP] included; at least 2.</param>
    /// <exception cref="InvalidDataException">The vocabulary lacks [CLS], [SEP], [PAD] or [UNK], or repeats a token.</exception>
    public static WordPieceTokenizer Create(Stream vocab, bool lowerCase, int maxTokens)
    {
        ArgumentNullException.ThrowIfNull(vocab);
        ArgumentOutOfRangeException.ThrowIfLessThan(maxTokens, 2);

        using var buffer = new MemoryStream();
        vocab.CopyTo(buffer);
        buffer.Position = 0;
        var (tokens, lineCount) = ReadVocabulary(buffer);

        foreach (var required in new[] { Classification, Separator, Padding, Unknown })
        {
            if (!tokens.ContainsKey(required))
            {
                throw new InvalidDataException(
                    $"The vocabulary has no '{required}' line; a BERT vocab.txt needs [CLS], [SEP], [PAD] and [UNK].");
            }
        }

        var hasMask = tokens.ContainsKey(Masking);
        var options = new BertOptions
        {
            // Everything the library would do before WordPiece is done by BertTextNormalizer and BertWordSplitter.
            ApplyBasicTokenization = false,
            LowerCaseBeforeTokenization = false,
            RemoveNonSpacingMarks = false,
            IndividuallyTokenizeCjk = false,
            SplitOnSpecialTokens = false,
            // The library counts UTF-16 units; the real limit (100 scalars) is checked before each word gets here.
            MaxInputCharsPerWord = MaxWordScalars * 2,
            ContinuingSubwordPrefix = "##",
            UnknownToken = Unknown,
            ClassificationToken = Classification,
            SeparatorToken = Separator,
            PaddingToken = Padding,
            // The library insists on a mask token; a vocabulary without one gets [UNK] in that unused slot.
            MaskingToken = hasMask ? Masking : Unknown,
        };

        buffer.Position = 0;
        var bert = BertTokenizer.Create(buffer, options);

        var specials = new[] { Padding, Unknown, Classification, Separator, Masking }
            .Where(tokens.ContainsKey)
            .Select(literal => (literal, tokens[literal]))
            .ToArray();
        return new WordPieceTokenizer(bert, lowerCase, maxTokens, lineCount, specials);
    }

    /// <summary>Creates a tokenizer from a <c>vocab.txt</c> file.</summary>
    public static WordPieceTokenizer FromFile(string vocabPath, bool lowerCase, int maxTokens)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(vocabPath);
        if (!File.Exists(vocabPath))
        {
            throw new FileNotFoundException($"Vocabulary file '{vocabPath}' does not exist.", vocabPath);
        }

        using var stream = File.OpenRead(vocabPath);
        return Create(stream, lowerCase, maxTokens);
    }

    /// <summary>
    /// Encodes one text as <c>[CLS] pieces [SEP]</c>. Longer encodings are cut to <see cref="MaxTokens"/> with [SEP]
    /// kept last. Empty or whitespace-only text gives <c>[CLS] [SEP]</c>.
    /// </summary>
    public int[] Encode(string text)
    {
        ArgumentNullException.ThrowIfNull(text);

        var budget = MaxTokens - 2;
        var ids = new List<int>(Math.Min(budget, 64) + 2) { _bert.ClassificationTokenId };
        var words = new List<Range>();
        var start = 0;
        while (start < text.Length && ids.Count <= budget)
        {
            var (next, special) = FindSpecialLiteral(text, start);
            AppendPieces(text[start..next], ids, words, budget);
            if (special is var (literal, id))
            {
                ids.Add(id);
                next += literal.Length;
            }

            start = next;
        }

        // HF truncates the content and then adds the special tokens, so [SEP] always survives.
        if (ids.Count > budget + 1)
        {
            ids.RemoveRange(budget + 1, ids.Count - budget - 1);
        }

        ids.Add(_bert.SeparatorTokenId);
        return ids.ToArray();
    }

    /// <summary>Encodes several texts and pads them with id 0 to the longest one.</summary>
    /// <exception cref="ArgumentException"><paramref name="texts"/> is empty.</exception>
    public TokenBatch EncodeBatch(IReadOnlyList<string> texts)
    {
        ArgumentNullException.ThrowIfNull(texts);
        if (texts.Count == 0)
        {
            throw new ArgumentException("A batch needs at least one text.", nameof(texts));
        }

        var encoded = new int[texts.Count][];
        for (var i = 0; i < texts.Count; i++)
        {
            encoded[i] = Encode(texts[i]);
        }

        var length = encoded.Max(row => row.Length);
        var inputIds = new long[texts.Count * length];
        var attentionMask = new long[texts.Count * length];
        for (var row = 0; row < encoded.Length; row++)
        {
            var offset = row * length;
            for (var t = 0; t < encoded[row].Length; t++)
            {
                inputIds[offset + t] = encoded[row][t];
                attentionMask[offset + t] = 1;
            }
        }

        return new TokenBatch
        {
            BatchSize = texts.Count,
            SequenceLength = length,
            InputIds = inputIds,
            AttentionMask = attentionMask,
            TokenTypeIds = new long[texts.Count * length],
        };
    }

    private void AppendPieces(string segment, List<int> ids, List<Range> words, int budget)
    {
        if (segment.Length == 0)
        {
            return;
        }

        var normalized = BertTextNormalizer.Normalize(segment, _lowerCase);
        words.Clear();
        BertWordSplitter.Split(normalized, words);
        foreach (var word in words)
        {
            // Pieces past the budget would be truncated anyway; stopping early bounds the work on huge inputs.
            if (ids.Count > budget)
            {
                return;
            }

            var span = normalized.AsSpan(word);
            if (CountScalars(span) > MaxWordScalars)
            {
                ids.Add(_bert.UnknownTokenId);
                continue;
            }

            ids.AddRange(_bert.EncodeToIds(span, addSpecialTokens: false, considerPreTokenization: false, considerNormalization: false));
        }
    }

    // The next special-token literal at or after start: its index (or the text's end) and which one.
    private (int Index, (string Literal, int Id)? Special) FindSpecialLiteral(string text, int start)
    {
        for (var i = text.IndexOf('[', start); i >= 0; i = text.IndexOf('[', i + 1))
        {
            foreach (var (literal, id) in _specialLiterals)
            {
                if (string.CompareOrdinal(text, i, literal, 0, literal.Length) == 0)
                {
                    return (i, (literal, id));
                }
            }
        }

        return (text.Length, null);
    }

    private static int CountScalars(ReadOnlySpan<char> word)
    {
        var count = 0;
        foreach (var c in word)
        {
            if (!char.IsLowSurrogate(c))
            {
                count++;
            }
        }

        return count;
    }

    private static (Dictionary<string, int> Tokens, int LineCount) ReadVocabulary(Stream stream)
    {
        var tokens = new Dictionary<string, int>(StringComparer.Ordinal);
        using var reader = new StreamReader(stream, Encoding.UTF8, detectEncodingFromByteOrderMarks: true, leaveOpen: true);
        var lineNumber = 0;
        while (reader.ReadLine() is { } line)
        {
            // Blank lines keep their id slot but hold no token, as in the library's loader.
            if (line.Length != 0 && !tokens.TryAdd(line, lineNumber))
            {
                throw new InvalidDataException(
                    $"The vocabulary repeats token '{line}' on lines {tokens[line] + 1} and {lineNumber + 1}; each token must appear once.");
            }

            lineNumber++;
        }

        if (lineNumber == 0)
        {
            throw new InvalidDataException("The vocabulary is empty.");
        }

        return (tokens, lineNumber);
    }
}
