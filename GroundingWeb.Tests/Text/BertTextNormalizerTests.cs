using GroundingWeb.Inference.Text;

namespace GroundingWeb.Tests.Text;

public class BertTextNormalizerTests
{
    [Theory]
    [InlineData("Ångström", "angstrom")]
    [InlineData("ΟΔΟΣ", "οδοσ")] // final capital sigma lowercases to σ, never ς
    [InlineData("tab\tnew\nline\r", "tab new line ")]
    [InlineData("a\u200bb\u00adc\ufeffd\ue000e", "abcde")] // Cf and Co removed
    [InlineData("nul\u0000 fffd\ufffd", "nul fffd")]
    [InlineData("a\u00a0b\u3000c\u2028d", "a b c d")]
    [InlineData("中文", " 中  文 ")]
    [InlineData("दुनिया", "दनिया")] // Mn (U+0941) goes, Mc (U+093F, U+093E) stays
    [InlineData("ǅ", "ǆ")] // titlecase letters are lowercased too
    public void Normalize_Uncased_FollowsHuggingFace(string input, string expected) =>
        Assert.Equal(expected, BertTextNormalizer.Normalize(input, lowerCase: true));

    [Fact]
    public void Normalize_Uncased_DecomposesHangul() =>
        Assert.Equal("\u1112\u1161\u11ab", BertTextNormalizer.Normalize("한", lowerCase: true));

    [Theory]
    [InlineData("Café ÅNGSTRÖM", "Café ÅNGSTRÖM")]
    [InlineData("x\ty\u200b中", "x y 中 ")]
    public void Normalize_Cased_OnlyCleansAndSpacesCjk(string input, string expected) =>
        Assert.Equal(expected, BertTextNormalizer.Normalize(input, lowerCase: false));

    [Fact]
    public void Normalize_DropsLoneSurrogates() =>
        Assert.Equal("ab", BertTextNormalizer.Normalize("a\ud800b", lowerCase: true));

    [Theory]
    [InlineData(0x4E00, true)]
    [InlineData(0x20000, true)]
    [InlineData(0x2B820, false)] // HF's table skips U+2B820-U+2B91F
    [InlineData(0x2B920, true)]
    [InlineData(0x3042, false)] // hiragana
    [InlineData(0xAC00, false)] // hangul
    public void IsCjkIdeograph_UsesHuggingFaceRanges(int codePoint, bool expected) =>
        Assert.Equal(expected, BertTextNormalizer.IsCjkIdeograph(codePoint));
}
