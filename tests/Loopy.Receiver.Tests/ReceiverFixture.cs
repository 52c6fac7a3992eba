using System.Collections.Concurrent;
using System.Net.Http.Headers;
using System.Text;
using Loopy.Bus;
using Loopy.Testing;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.DependencyInjection;

namespace Loopy.Receiver.Tests;

/// <summary>
/// A real Receiver host (in memory via WebApplicationFactory) over a chosen store and bus, with a probe
/// subscribed to the bus that records every published event.
/// </summary>
public sealed class ReceiverFixture : IAsyncDisposable
{
    public const string Secret = "s3cret-token-for-sensors";
    public const string LimitedSecret = "limited-producer-secret";
    public const string SigningSecret = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";

    public const string Manifest = """
        {
          "schema_version": "2",
          "registry": {
            "events": {
              "Incident": { "builtin": false, "fields": {
                "source": { "type": "string", "enum": ["sentry", "linear", "datadog"] },
                "issue_id": { "type": "string" },
                "title": { "type": "string" },
                "link": { "type": "string", "format": "uri" },
                "count": { "type": "integer" } } },
              "Greet": { "builtin": false, "fields": { "name": { "type": "string" } } }
            },
            "agents": {}, "sandboxes": {}
          },
          "workflows": {}, "sensors": [], "lineage": { "events": {} }
        }
        """;

    private readonly WebApplicationFactory<Program> _factory;
    private readonly string _directory;
    private IAsyncDisposable? _probe;

    public ReceiverFixture(string? postgres, string? rabbitmq, IDictionary<string, string?>? settings = null)
    {
        _directory = Directory.CreateTempSubdirectory("loopy-receiver-").FullName;
        var manifestPath = Path.Combine(_directory, "manifest.json");
        File.WriteAllText(manifestPath, Manifest);
        EntityPrefix = $"rt{Guid.NewGuid():N}"[..14];
        _factory = new WebApplicationFactory<Program>().WithWebHostBuilder(web =>
        {
            web.UseSetting("ConnectionStrings:postgres", postgres ?? string.Empty);
            web.UseSetting("ConnectionStrings:rabbitmq", rabbitmq ?? string.Empty);
            web.UseSetting("ConnectionStrings:redis", string.Empty);
            web.UseSetting("Loopy:DataDirectory", _directory);
            web.UseSetting("Loopy:Bus:EntityPrefix", EntityPrefix);
            web.UseSetting("Loopy:Receiver:ManifestPath", manifestPath);
            web.UseSetting("Loopy:Receiver:Producers:0:Name", "sensors");
            web.UseSetting("Loopy:Receiver:Producers:0:Secret", Secret);
            web.UseSetting("Loopy:Receiver:Producers:0:Events:0", "*");
            web.UseSetting("Loopy:Receiver:Producers:1:Name", "limited");
            web.UseSetting("Loopy:Receiver:Producers:1:Secret", LimitedSecret);
            web.UseSetting("Loopy:Receiver:Producers:1:Events:0", "Greet");
            web.UseSetting("Loopy:Receiver:Producers:2:Name", "signed");
            web.UseSetting("Loopy:Receiver:Producers:2:Secret", SigningSecret);
            web.UseSetting("Loopy:Receiver:Producers:2:Events:0", "*");
            foreach (var (key, value) in settings ?? new Dictionary<string, string?>())
            {
                web.UseSetting(key, value);
            }
        });
    }

    public string EntityPrefix { get; }

    public ConcurrentQueue<BusDelivery> Published { get; } = new();

    public IServiceProvider Services => _factory.Services;

    public HttpClient CreateClient(string? bearer = Secret)
    {
        var client = _factory.CreateClient();
        if (bearer is not null)
        {
            client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", bearer);
        }

        return client;
    }

    /// <summary>Subscribes the probe to every event of the test manifest (before anything is posted).</summary>
    public async Task StartProbeAsync(CancellationToken cancellationToken)
    {
        var bus = _factory.Services.GetRequiredService<IEventBus>();
        _probe = await bus.SubscribeAsync(
            new BusSubscription("probe", ["Incident", "Greet"], (delivery, _) =>
            {
                Published.Enqueue(delivery);
                return Task.CompletedTask;
            })
            { Concurrency = 1 },
            cancellationToken);
    }

    /// <summary>
    /// Posts a sentinel event and waits until the probe saw it: every event published before it has
    /// then been delivered too (one FIFO consumer), so counts taken afterwards are final.
    /// </summary>
    public async Task DrainAsync(CancellationToken cancellationToken)
    {
        using var client = CreateClient();
        var sentinel = $"sentinel-{Guid.NewGuid():N}";
        using var response = await client.PostAsync(new Uri("/events", UriKind.Relative), Json($$$"""{"id":"{{{sentinel}}}","name":"Greet","fields":{"name":"drain"}}"""), cancellationToken);
        Assert.Equal(System.Net.HttpStatusCode.Accepted, response.StatusCode);
        await Wait.UntilAsync(() => Published.Any(d => d.Message.EventId == sentinel), TimeSpan.FromSeconds(30), cancellationToken);
    }

    public int PublishedCount(Func<BusDelivery, bool> predicate) => Published.Count(predicate);

    public static StringContent Json(string body) => new(body, Encoding.UTF8, "application/json");

    public static string IncidentJson(string? id = null, string title = "db down", string link = "https://sentry.io/i/1", string source = "sentry", string count = "3")
    {
        var idPart = id is null ? string.Empty : $"\"id\":\"{id}\",";
        return $$$"""{{{{idPart}}}"name":"Incident","fields":{"source":"{{{source}}}","issue_id":"I-1","title":"{{{title}}}","link":"{{{link}}}","count":{{{count}}}}}""";
    }

    public async ValueTask DisposeAsync()
    {
        if (_probe is not null)
        {
            await _probe.DisposeAsync();
        }

        await _factory.DisposeAsync();
        try
        {
            Directory.Delete(_directory, recursive: true);
        }
        catch (IOException)
        {
            // SQLite may still hold the file for a moment; the temp folder is cleaned by the OS.
        }
    }
}
