using System.Collections.Concurrent;
using Loopy.Bus;
using Loopy.Receiver;
using Loopy.Testing;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Loopy.SensorHost.Tests;

/// <summary>
/// A real Receiver (AddLoopyReceiver/MapLoopyReceiver on Kestrel, SQLite and the in-process bus) on a loopback
/// port, with a probe on the bus that records every published event. It can be stopped and started again on the
/// same port and database, to test a Receiver outage.
/// </summary>
public sealed class ReceiverServer : IAsyncDisposable
{
    public const string ProducerSecret = "sensorhost-producer-secret-for-tests";

    private readonly string _manifestPath;
    private readonly string _dataDirectory;
    private WebApplication? _app;
    private IAsyncDisposable? _probe;
    private int _port;

    public ReceiverServer(string directory, string manifest)
    {
        _dataDirectory = Path.Combine(directory, ".receiver");
        Directory.CreateDirectory(_dataDirectory);
        _manifestPath = Path.Combine(_dataDirectory, "manifest.json");
        File.WriteAllText(_manifestPath, manifest);
    }

    /// <summary>Every event the Receiver published, across restarts.</summary>
    public ConcurrentQueue<BusDelivery> Published { get; } = new();

    public Uri Url => new($"http://127.0.0.1:{_port}/");

    public bool IsRunning => _app is not null;

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        var builder = WebApplication.CreateBuilder(new WebApplicationOptions { ContentRootPath = _dataDirectory });
        builder.Logging.ClearProviders();
        builder.WebHost.UseUrls($"http://127.0.0.1:{_port}");
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["ConnectionStrings:postgres"] = string.Empty,
            ["ConnectionStrings:rabbitmq"] = string.Empty,
            ["ConnectionStrings:redis"] = string.Empty,
            ["Loopy:DataDirectory"] = _dataDirectory,
            ["Loopy:Receiver:ManifestPath"] = _manifestPath,
            ["Loopy:Receiver:Producers:0:Name"] = "sensorhost",
            ["Loopy:Receiver:Producers:0:Secret"] = ProducerSecret,
            ["Loopy:Receiver:Producers:0:Events:0"] = "*",
        });
        builder.AddLoopyReceiver();
        var app = builder.Build();
        app.MapLoopyReceiver();
        await app.StartAsync(cancellationToken);
        _port = new Uri(app.Urls.First()).Port;
        var bus = app.Services.GetRequiredService<IEventBus>();
        _probe = await bus.SubscribeAsync(
            new BusSubscription("probe", ["Github.PullRequestOpened", "Github.Push", "Incident", "Ping", "Tick"], (delivery, _) =>
            {
                Published.Enqueue(delivery);
                return Task.CompletedTask;
            })
            { Concurrency = 1 },
            cancellationToken);
        _app = app;
    }

    /// <summary>
    /// Stops the Receiver like a shutdown: it stops taking requests (in-flight ones complete), then the probe sees
    /// everything published before (a sentinel through the bus), then the process's bus and store go away.
    /// </summary>
    public async Task StopAsync()
    {
        if (_app is null)
        {
            return;
        }

        await _app.StopAsync(CancellationToken.None);
        var bus = _app.Services.GetRequiredService<IEventBus>();
        var sentinel = $"sentinel-{Guid.NewGuid():N}";
        await bus.PublishAsync(new Contracts.Messages.EventAccepted
        {
            EventId = sentinel,
            EventName = "Ping",
            Fields = System.Text.Json.JsonDocument.Parse("""{"n":-1}""").RootElement.Clone(),
            Producer = "test",
            AcceptedAt = DateTimeOffset.UtcNow,
        });
        await Wait.UntilAsync(() => Published.Any(d => d.Message.EventId == sentinel), TimeSpan.FromSeconds(30), CancellationToken.None);
        if (_probe is not null)
        {
            await _probe.DisposeAsync();
            _probe = null;
        }

        await _app.DisposeAsync();
        _app = null;
    }

    /// <summary>A client of the Receiver with the SensorHost's producer credential (for sentinels and checkpoints).</summary>
    public HttpClient CreateClient()
    {
        var client = new HttpClient { BaseAddress = Url };
        client.DefaultRequestHeaders.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", ProducerSecret);
        return client;
    }

    /// <summary>
    /// Posts a sentinel event and waits until the probe saw it: everything published before it has then been
    /// delivered too (one FIFO consumer), so counts taken afterwards are final.
    /// </summary>
    public async Task DrainAsync(CancellationToken cancellationToken)
    {
        using var client = CreateClient();
        var sentinel = $"sentinel-{Guid.NewGuid():N}";
        using var content = new StringContent($$$"""{"id":"{{{sentinel}}}","name":"Ping","fields":{"n":-1}}""", System.Text.Encoding.UTF8, "application/json");
        using var response = await client.PostAsync(new Uri("events", UriKind.Relative), content, cancellationToken);
        Assert.Equal(System.Net.HttpStatusCode.Accepted, response.StatusCode);
        await Wait.UntilAsync(() => Published.Any(d => d.Message.EventId == sentinel), TimeSpan.FromSeconds(30), cancellationToken);
    }

    public IReadOnlyList<BusDelivery> Of(string eventName) =>
        Published.Where(d => d.Message.EventName == eventName && !d.Message.EventId.StartsWith("sentinel-", StringComparison.Ordinal)).ToList();

    public async ValueTask DisposeAsync() => await StopAsync();
}
