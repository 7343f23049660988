using GroundingWeb.Components;
using GroundingWeb.Data;
using GroundingWeb.Features.Accounts;
using GroundingWeb.Features.Api;
using GroundingWeb.Features.Datasets;
using GroundingWeb.Features.Evaluations;
using GroundingWeb.Features.Ground;
using GroundingWeb.Features.History;
using GroundingWeb.Features.Models;
using GroundingWeb.Features.Review;
using GroundingWeb.Operations;
using MudBlazor.Services;

var builder = WebApplication.CreateBuilder(args);
// Outside Development the framework serves static assets only from a published wwwroot, so a build
// run straight from bin/ in Production answered blazor.web.js with 500 and the app's CSS and JS
// empty. The build's manifest maps them to the project and package folders; published output has
// no such manifest, and there this call does nothing.
builder.WebHost.UseStaticWebAssets();
builder.Services.AddRazorComponents().AddInteractiveServerComponents();
builder.Services.AddMudServices();
builder.Services.AddSingleton(TimeProvider.System);
builder.AddAppData();
builder.AddModels();
builder.AddGround();
builder.AddHistory();
builder.AddReview();
builder.AddDatasets();
builder.AddEvaluations();
builder.AddAccounts();
builder.AddGroundingApi();
builder.AddOperations();

var app = builder.Build();
if (!app.Environment.IsDevelopment())
{
    app.UseExceptionHandler("/Error", createScopeForErrors: true);
}
app.UseSecurityHeaders();
app.UseProblemDocumentsForErrors();
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

await app.MigrateDatabaseAsync();
await app.PrepareAccountsAsync();
await app.Services.GetRequiredService<DatasetRegistry>().EnsureDemoDatasetAsync();
app.Run();

/// <summary>Entry point, public so integration tests can host the app.</summary>
public partial class Program;
