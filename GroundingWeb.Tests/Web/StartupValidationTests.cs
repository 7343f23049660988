using GroundingWeb.Tests.Support;
using Microsoft.Extensions.Options;

namespace GroundingWeb.Tests.Web;

/// <summary>Bad settings stop the app at start with the key and the value, not at the first request.</summary>
public sealed class StartupValidationTests
{
    public static TheoryData<string, string, string> BadSettings => new()
    {
        { "Data:Folder", "/proc/groundingweb-cannot-write-here", "Data:Folder" },
        { "Inference:BundlePath", "/nonexistent/bundle", "Inference:BundlePath" },
        { "Inference:MaxPromptsPerImage", "0", "MaxPromptsPerImage" },
        { "RateLimit:GroundRequestsPerMinute", "0", "GroundRequestsPerMinute" },
    };

    [Theory]
    [MemberData(nameof(BadSettings))]
    public void AppRefusesToStartWithABadSetting(string key, string value, string named)
    {
        using var app = new TestApp((key, value));

        var error = Assert.ThrowsAny<Exception>(() => app.CreateClient());

        var validation = error as OptionsValidationException ?? error.InnerException as OptionsValidationException;
        Assert.NotNull(validation);
        Assert.Contains(named, validation.Message);
    }

    [Fact]
    public void ExecutionProviderMustBeOneOfTheKnownNames()
    {
        using var app = new TestApp(("Inference:ExecutionProvider", "Tpu"));

        var error = Assert.ThrowsAny<Exception>(() => app.CreateClient());

        Assert.Contains("ExecutionProvider", error.ToString());
    }
}
