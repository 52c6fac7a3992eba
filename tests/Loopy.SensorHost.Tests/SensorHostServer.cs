using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Logging;

namespace Loopy.SensorHost.Tests;

/// <summary>
/// A real SensorHost (AddLoopySensorHost/MapLoopySensorHost on Kestrel) on a loopback port, serving the sensors of
/// a project folder and delivering to a Receiver URL with the producer secret.
/// </summary>
public sealed class SensorHostServer : IAsyncDisposable
{
    private readonly WebApplication _app;

    private SensorHostServer(WebApplication app, CapturedLogs logs)
    {
        _app = app;
        Logs = logs;
    }

    /// <summary>What the host logged (event ids of SensorHostLog), to wait on.</summary>
    public CapturedLogs Logs { get; }

    public Uri Url => new(_app.Urls.First());

    public IServiceProvider Services => _app.Services;

    /// <summary>Builds and starts the host; throws what start-up throws (e.g. a webhook secret that is not set).</summary>
    public static async Task<SensorHostServer> StartAsync(
        string projectRoot, Uri receiverUrl, IDictionary<string, string?>? settings, CancellationToken cancellationToken, string bind = "127.0.0.1")
    {
        var builder = WebApplication.CreateBuilder(new WebApplicationOptions { ContentRootPath = projectRoot });
        var logs = new CapturedLogs();
        builder.Logging.ClearProviders();
        builder.Logging.AddProvider(logs);
        builder.WebHost.UseUrls($"http://{bind}:0");
        var configuration = new Dictionary<string, string?>
        {
            ["Loopy:SensorHost:ManifestPath"] = Path.Combine(projectRoot, "manifest.json"),
            ["Loopy:SensorHost:ProjectRoot"] = projectRoot,
            ["Loopy:SensorHost:ReceiverUrl"] = receiverUrl.ToString(),
            ["Loopy:SensorHost:ProducerSecret"] = ReceiverServer.ProducerSecret,
            ["Loopy:SensorHost:RetryBaseDelay"] = "00:00:00.100",
            ["Loopy:SensorHost:MaxRetryDelay"] = "00:00:00.500",
            ["Loopy:SensorHost:PollRetryDelay"] = "00:00:00.200",
            ["Loopy:SensorHost:PollLeaseSlack"] = "00:00:03",
        };
        foreach (var (key, value) in settings ?? new Dictionary<string, string?>())
        {
            configuration[key] = value;
        }

        builder.Configuration.AddInMemoryCollection(configuration);
        builder.AddLoopySensorHost();
        var app = builder.Build();
        try
        {
            app.MapLoopySensorHost();
            await app.StartAsync(cancellationToken);
        }
        catch
        {
            await app.DisposeAsync();
            throw;
        }

        return new SensorHostServer(app, logs);
    }

    public HttpClient CreateClient() => new() { BaseAddress = Url };

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync(CancellationToken.None);
        await _app.DisposeAsync();
    }
}
