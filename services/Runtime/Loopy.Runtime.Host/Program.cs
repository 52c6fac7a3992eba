using Loopy.Runtime;

var builder = WebApplication.CreateBuilder(args);
builder.AddServiceDefaults();
builder.AddLoopyRuntime();

var app = builder.Build();
app.MapDefaultEndpoints();
app.MapLoopyRuntime();
app.Run();
