using Loopy.Compiler.Service;

var builder = WebApplication.CreateBuilder(args);
builder.AddServiceDefaults();
builder.AddLoopyCompilerService();

var app = builder.Build();
app.MapDefaultEndpoints();
app.MapLoopyCompilerService();
app.Run();
