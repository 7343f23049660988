using GroundingWeb.Inference.Text;

namespace GroundingWeb.Tests.Text;

public class BertWordSplitterTests
{
    [Theory]
    [InlineData("the cat", new[] { "the", "cat" })]
    [InlineData("  spaced   out ", new[] { "spaced", "out" })]
    [InlineData("don't", new[] { "don", "'", "t" })]
    [InlineData("a_b~c$d", new[] { "a", "_", "b", "~", "c", "$", "d" })] // all ASCII punctuation splits
    [InlineData("5€ 30°c 2×3", new[] { "5€", "30°c", "2×3" })] // Unicode symbols do not
    [InlineData("¿qué?—«x»", new[] { "¿", "qué", "?", "—", "«", "x", "»" })]
    [InlineData("cat😺face", new[] { "cat😺face" })]
    [InlineData("", new string[0])]
    public void Split_FollowsBertPreTokenizer(string text, string[] expected)
    {
        var words = new List<Range>();

        BertWordSplitter.Split(text, words);

        Assert.Equal(expected, words.Select(w => text[w]).ToArray());
    }
}
