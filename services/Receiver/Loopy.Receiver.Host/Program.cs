using Loopy.Receiver;

var builder = WebApplication.CreateBuilder(args);
builder.AddServiceDefaults();
builder.AddLoopyReceiver();

var app = builder.Build();
app.MapDefaultEndpoints();
app.MapLoopyReceiver();
app.Run();
