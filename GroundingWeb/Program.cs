using GroundingWeb.Accounts;
using GroundingWeb.Api;
using GroundingWeb.Components;
using GroundingWeb.Data;
using GroundingWeb.Evaluations;
using GroundingWeb.Operations;
using GroundingWeb.Review;
using GroundingWeb.Services;
using GroundingWeb.Inference.Hosting;
using MudBlazor.Services;

var builder = WebApplication.CreateBuilder(args);
builder.Services.AddRazorComponents().AddInteractiveServerComponents();
builder.Services.AddMudServices();
builder.Services.AddGroundingInference();
// The demo bundle's encoders are written from the restored NuGet packages before it loads.
builder.Services.AddSingleton<GroundingWeb.Inference.Bundles.IBundlePreparer, GroundingWeb.Authoring.Demo.DemoEncoders>();
builder.AddSamples();
builder.AddAppData();
builder.AddAccounts();
builder.AddGroundingApi();
builder.AddOperations();

var app = builder.Build();
if (!app.Environment.IsDevelopment())
{
    app.UseExceptionHandler("/Error", createScopeForErrors: true);
}
app.UseStatusCodePages();
app.UseAuthentication();
app.UseAuthorization();
app.UseRateLimiter();
app.UseAntiforgery();
app.MapStaticAssets();
app.MapAccountEndpoints();
app.MapMediaEndpoints();
app.MapReviewEndpoints();
app.MapEvaluationEndpoints();
app.MapGroundingApi();
app.MapOperations();
// The browsable API page, served from the package's embedded files (no CDN).
app.UseSwaggerUI(ui =>
{
    ui.RoutePrefix = "api";
    ui.SwaggerEndpoint("/openapi/v1.json", "GroundingWeb API v1");
    ui.DocumentTitle = "GroundingWeb API";
});
app.MapRazorComponents<App>().AddInteractiveServerRenderMode();

await app.PrepareDatabaseAsync();
await app.Services.GetRequiredService<DatasetRegistry>().EnsureDemoDatasetAsync();
app.Run();

/// <summary>Entry point, public so integration tests can host the app.</summary>
public partial class Program;
