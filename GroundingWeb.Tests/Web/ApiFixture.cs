using GroundingWeb.Tests.Support;

namespace GroundingWeb.Tests.Web;

/// <summary>One app for the API tests: starting the app loads the demo models, which takes seconds.</summary>
public sealed class ApiFixture : IDisposable
{
    public TestApp App { get; } = new(("RateLimit:GroundRequestsPerMinute", "1000"), ("Inference:MaxImageMegabytes", "1"));

    public void Dispose() => App.Dispose();
}
