using System.Text;
using GroundingWeb.Inference.Text;

namespace GroundingWeb.Tests.Text;

public class WordPieceTokenizerTests(MiniLmVocabFixture vocab) : IClassFixture<MiniLmVocabFixture>
{
    private const int Cls = 101;
    private const int Sep = 102;

    public static TheoryData<int, string> FixtureLines() => TokenizationFixture.LineNumbers();

    // Every line passes, the three special_token_literal lines included: literal [MASK]/[CLS]/[SEP] in the raw
    // text are matched case-sensitively before normalisation, as HF does.
    [Theory]
    [MemberData(nameof(FixtureLines))]
    public void Encode_MatchesHuggingFace(int line, string category)
    {
        var expected = TokenizationFixture.Cases[line - 1];

        var ids = vocab.Tokenizer.Encode(expected.Text);

        Assert.True(expected.Ids.SequenceEqual(ids),
            $"line {line} ({category}): expected [{string.Join(",", expected.Ids)}] ({string.Join(" ", expected.Tokens)}), got [{string.Join(",", ids)}]");
    }

    [Fact]
    public void Fixture_HasAllLines() => Assert.Equal(130, TokenizationFixture.Cases.Count);

    [Fact]
    public void Create_ReportsVocabularySizeAndMaxTokens()
    {
        Assert.Equal(30_522, vocab.Tokenizer.VocabularySize);
        Assert.Equal(MiniLmVocabFixture.MaxTokens, vocab.Tokenizer.MaxTokens);
    }

    [Theory]
    [InlineData("")]
    [InlineData("   ")]
    [InlineData(" \t\r\n\u00a0")]
    [InlineData("\u200b\u0000")]
    public void Encode_EmptyOrWhitespace_GivesClsSep(string text) =>
        Assert.Equal([Cls, Sep], vocab.Tokenizer.Encode(text));

    [Fact]
    public void Encode_NoncharacterFFFE_IsUnknownNotACrash() =>
        // .NET's NFD throws on U+FFFE; HF keeps it as an ordinary character.
        Assert.Equal([Cls, 100, 1045, Sep], vocab.Tokenizer.Encode("a\uFFFEb\u0301 \u00cd"));

    [Fact]
    public void Encode_AnyCodePointOrLoneSurrogate_NeverThrows()
    {
        var tokenizer = vocab.CreateTokenizer(8);
        var text = new StringBuilder();
        for (var codePoint = 0; codePoint <= 0x10FFFF; codePoint++)
        {
            // Lone surrogates, in both orders, stand in for the ill-formed UTF-16 a client can send.
            text.Append(codePoint is >= 0xD800 and <= 0xDFFF ? ((char)codePoint).ToString() : char.ConvertFromUtf32(codePoint));
            if (text.Length >= 4096 || codePoint == 0x10FFFF)
            {
                var ids = tokenizer.Encode(text.ToString());
                Assert.InRange(ids.Length, 2, 8);
                text.Clear();
            }
        }
    }

    [Fact]
    public void Encode_Null_Throws() => Assert.Throws<ArgumentNullException>(() => vocab.Tokenizer.Encode(null!));

    [Theory]
    [InlineData(2, new[] { Cls, Sep })]
    [InlineData(3, new[] { Cls, 1996, Sep })]
    [InlineData(5, new[] { Cls, 1996, 4937, 2006, Sep })]
    [InlineData(7, new[] { Cls, 1996, 4937, 2006, 1996, 10682, Sep })]
    [InlineData(8, new[] { Cls, 1996, 4937, 2006, 1996, 10682, Sep })]
    public void Encode_TruncatesKeepingSepLast(int maxTokens, int[] expected)
    {
        var tokenizer = vocab.CreateTokenizer(maxTokens);

        Assert.Equal(expected, tokenizer.Encode("the cat on the sofa"));
    }

    [Fact]
    public void Encode_TruncationCanCutInsideAWord()
    {
        // "giraffe" is gi ##raf ##fe; HF cuts pieces, not words.
        var tokenizer = vocab.CreateTokenizer(4);

        Assert.Equal([Cls, 21025, 27528, Sep], tokenizer.Encode("giraffe in back"));
    }

    [Fact]
    public void Encode_LongFixtureSentence_IsThePrefixOfTheFullEncoding()
    {
        var full = TokenizationFixture.Cases.Single(c => c.Category == "long_sentence");
        var tokenizer = vocab.CreateTokenizer(40);

        var ids = tokenizer.Encode(full.Text);

        Assert.Equal(40, ids.Length);
        Assert.Equal(full.Ids.Take(39).Append(Sep), ids);
    }

    [Fact]
    public void EncodeBatch_PadsToLongestWithMaskAndZeroTypeIds()
    {
        var batch = vocab.Tokenizer.EncodeBatch(["the cat", "the cat on the sofa", ""]);

        Assert.Equal(3, batch.BatchSize);
        Assert.Equal(7, batch.SequenceLength);
        long[] expectedIds =
        [
            Cls, 1996, 4937, Sep, 0, 0, 0,
            Cls, 1996, 4937, 2006, 1996, 10682, Sep,
            Cls, Sep, 0, 0, 0, 0, 0,
        ];
        long[] expectedMask =
        [
            1, 1, 1, 1, 0, 0, 0,
            1, 1, 1, 1, 1, 1, 1,
            1, 1, 0, 0, 0, 0, 0,
        ];
        Assert.Equal(expectedIds, batch.InputIds);
        Assert.Equal(expectedMask, batch.AttentionMask);
        Assert.Equal(new long[21], batch.TokenTypeIds);
    }

    [Fact]
    public void EncodeBatch_RespectsMaxTokens()
    {
        var batch = vocab.CreateTokenizer(4).EncodeBatch(["the cat on the sofa", "cat"]);

        Assert.Equal(4, batch.SequenceLength);
        Assert.Equal(new long[] { Cls, 1996, 4937, Sep, Cls, 4937, Sep, 0 }, batch.InputIds);
    }

    [Fact]
    public void EncodeBatch_Empty_Throws() =>
        Assert.Throws<ArgumentException>(() => vocab.Tokenizer.EncodeBatch([]));

    [Theory]
    [InlineData(1)]
    [InlineData(0)]
    [InlineData(-5)]
    public void Create_MaxTokensBelowTwo_Throws(int maxTokens) =>
        Assert.Throws<ArgumentOutOfRangeException>(() => CreateFromLines(["[PAD]", "[UNK]", "[CLS]", "[SEP]"], lowerCase: true, maxTokens));

    [Theory]
    [InlineData("[CLS]")]
    [InlineData("[SEP]")]
    [InlineData("[PAD]")]
    [InlineData("[UNK]")]
    public void Create_VocabMissingSpecialToken_NamesIt(string missing)
    {
        var lines = new[] { "[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]", "cat" }.Where(l => l != missing).ToArray();

        var error = Assert.Throws<InvalidDataException>(() => CreateFromLines(lines, lowerCase: true, 16));

        Assert.Contains(missing, error.Message);
    }

    [Fact]
    public void Create_VocabRepeatingAToken_SaysWhere()
    {
        var error = Assert.Throws<InvalidDataException>(() =>
            CreateFromLines(["[PAD]", "[UNK]", "[CLS]", "[SEP]", "cat", "cat"], lowerCase: true, 16));

        Assert.Contains("'cat' on lines 5 and 6", error.Message);
    }

    [Fact]
    public void Cased_KeepsCaseAndAccents()
    {
        // ids: 0 [PAD], 1 [UNK], 2 [CLS], 3 [SEP], 4 The, 5 the, 6 Café, 7 cafe, 8 [, 9 ], 10 MASK
        var tokenizer = CreateFromLines(CasedVocab, lowerCase: false, 16, newline: "\r\n");

        Assert.Equal([2, 4, 6, 5, 7, 3], tokenizer.Encode("The Café the cafe"));
        Assert.Equal([2, 1, 3], tokenizer.Encode("THE"));
        Assert.Equal(11, tokenizer.VocabularySize);
    }

    [Fact]
    public void Cased_WithoutMaskToken_TreatsMaskLiteralAsText()
    {
        var tokenizer = CreateFromLines(CasedVocab, lowerCase: false, 16);

        Assert.Equal([2, 8, 10, 9, 3], tokenizer.Encode("[MASK]"));
        Assert.Equal([2, 2, 3, 3], tokenizer.Encode("[CLS][SEP]"));
    }

    [Fact]
    public void FromFile_ReadsVocabFile()
    {
        var path = Path.GetTempFileName();
        try
        {
            File.WriteAllBytes(path, vocab.VocabBytes);

            var tokenizer = WordPieceTokenizer.FromFile(path, lowerCase: true, 32);

            Assert.Equal([Cls, 1996, 4937, 2006, 1996, 10682, Sep], tokenizer.Encode("The Cat on the Sofa"));
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public void FromFile_MissingFile_Throws() =>
        Assert.Throws<FileNotFoundException>(() =>
            WordPieceTokenizer.FromFile(Path.Combine(Path.GetTempPath(), Guid.NewGuid() + ".txt"), lowerCase: true, 32));

    private static readonly string[] CasedVocab = ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "The", "the", "Café", "cafe", "[", "]", "MASK"];

    private static WordPieceTokenizer CreateFromLines(string[] lines, bool lowerCase, int maxTokens, string newline = "\n")
    {
        using var stream = new MemoryStream(Encoding.UTF8.GetBytes(string.Join(newline, lines) + newline));
        return WordPieceTokenizer.Create(stream, lowerCase, maxTokens);
    }
}
