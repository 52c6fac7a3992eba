using System.Collections.Concurrent;
using Loopy.Bus;
using Loopy.Testing;
using Microsoft.Extensions.Logging.Abstractions;
using Npgsql;

namespace Loopy.Integration.Tests.LoadBalancer;

/// <summary>
/// What Receiver processes share in these tests: a Postgres database of their own, a RabbitMQ namespace (entity
/// prefix) of their own, a manifest with one event (<c>Ping {n: string}</c>), one producer, and a probe subscribed
/// to the bus that records every published event.
/// </summary>
public sealed class ReceiverDeployment : IAsyncDisposable
{
    public const string Secret = "lb-test-producer-secret";

    private readonly TestDatabase _database;
    private readonly IEventBus _bus;
    private IAsyncDisposable? _probe;

    private ReceiverDeployment(TestDatabase database, string directory, IEventBus bus, Dictionary<string, string> environment)
    {
        _database = database;
        Directory = directory;
        _bus = bus;
        Environment = environment;
    }

    public string Database => _database.Name;

    public string Directory { get; }

    public Dictionary<string, string> Environment { get; }

    public ConcurrentQueue<BusDelivery> Published { get; } = new();

    /// <summary>The manifest the Receivers serve when none is given: one event, <c>Ping {n: string}</c>.</summary>
    public const string PingManifest = """
        {"schema_version": "2", "registry": {"events": {"Ping": {"builtin": false, "fields": {"n": {"type": "string"}}}},
         "agents": {}, "sandboxes": {}}, "workflows": {}, "sensors": [], "lineage": {"events": {}}}
        """;

    public static Task<ReceiverDeployment> CreateAsync(string postgres, string rabbitmq, CancellationToken cancellationToken) =>
        CreateAsync(postgres, rabbitmq, PingManifest, ["Ping"], cancellationToken);

    /// <summary>A deployment serving <paramref name="manifestJson"/> (which must declare <c>Ping</c>, the drain sentinel); the probe records <paramref name="events"/>.</summary>
    public static async Task<ReceiverDeployment> CreateAsync(string postgres, string rabbitmq, string manifestJson, IReadOnlyCollection<string> events, CancellationToken cancellationToken)
    {
        var database = await TestDatabase.CreateAsync(postgres, cancellationToken, "loopy_lb");
        var directory = System.IO.Directory.CreateTempSubdirectory("loopy-lb-").FullName;
        var manifest = Path.Combine(directory, "manifest.json");
        await File.WriteAllTextAsync(manifest, manifestJson, cancellationToken);
        var prefix = $"lb{Guid.NewGuid():N}"[..14];
        var environment = new Dictionary<string, string>
        {
            ["ConnectionStrings__postgres"] = database.ConnectionString,
            ["ConnectionStrings__rabbitmq"] = rabbitmq,
            ["ConnectionStrings__redis"] = string.Empty,
            ["Loopy__DataDirectory"] = directory,
            ["Loopy__Bus__EntityPrefix"] = prefix,
            ["Loopy__Receiver__ManifestPath"] = manifest,
            ["Loopy__Receiver__RateLimitPerSecond"] = "0",
            ["Loopy__Receiver__Producers__0__Name"] = "producer",
            ["Loopy__Receiver__Producers__0__Secret"] = Secret,
            ["Loopy__Receiver__Producers__0__Events__0"] = "*",
            ["shutdownTimeoutSeconds"] = "15",
        };
        var bus = BusServiceCollectionExtensions.Create(BusTransport.RabbitMq, rabbitmq,
            new BusOptions { EntityPrefix = prefix, PublishTimeout = TimeSpan.FromSeconds(10) }, TimeProvider.System, NullLoggerFactory.Instance);
        var deployment = new ReceiverDeployment(database, directory, bus, environment);
        deployment._probe = await bus.SubscribeAsync(new BusSubscription("probe", events, (delivery, _) =>
        {
            deployment.Published.Enqueue(delivery);
            return Task.CompletedTask;
        })
        { Concurrency = 1 }, cancellationToken);
        return deployment;
    }

    public static StringContent Ping(string id) =>
        new($$$"""{"id":"{{{id}}}","name":"Ping","fields":{"n":"{{{id}}}"}}""", System.Text.Encoding.UTF8, "application/json");

    public static HttpClient Client(Uri baseAddress)
    {
        var client = new HttpClient { BaseAddress = baseAddress, Timeout = TimeSpan.FromSeconds(30) };
        client.DefaultRequestHeaders.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", Secret);
        return client;
    }

    /// <summary>
    /// Posts a sentinel through <paramref name="client"/> and waits until the probe saw it: every event accepted
    /// before it was enqueued before it, and the probe is one FIFO consumer.
    /// </summary>
    public async Task DrainAsync(HttpClient client, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(client);
        var sentinel = $"sentinel-{Guid.NewGuid():N}";
        await Wait.UntilAsync(async () =>
        {
            using var response = await client.PostAsync(new Uri("/events", UriKind.Relative), Ping(sentinel), cancellationToken);
            return response.IsSuccessStatusCode;
        }, TimeSpan.FromSeconds(30), cancellationToken);
        await Wait.UntilAsync(() => Published.Any(d => d.Message.EventId == sentinel), TimeSpan.FromSeconds(30), cancellationToken);
    }

    public async ValueTask DisposeAsync()
    {
        if (_probe is not null)
        {
            await _probe.DisposeAsync();
        }

        await _bus.DisposeAsync();
        await _database.DisposeAsync();

        try
        {
            System.IO.Directory.Delete(Directory, recursive: true);
        }
        catch (IOException)
        {
            // Left for the OS to clean.
        }
    }
}
