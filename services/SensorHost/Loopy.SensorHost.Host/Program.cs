using Loopy.SensorHost;

var builder = WebApplication.CreateBuilder(args);
builder.AddServiceDefaults();
builder.AddLoopySensorHost();

var app = builder.Build();
app.MapDefaultEndpoints();
app.MapLoopySensorHost();
app.Run();
