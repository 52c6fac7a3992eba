using System.Net.Http.Json;
using System.Text.Json;
using Loopy.Bus;
using Loopy.Contracts.Messages;
using Loopy.Runtime.State;
using Loopy.Testing;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Loopy.Runtime.Tests;

/// <summary>
/// A real Runtime host (in memory via WebApplicationFactory) serving a compiled test project, over
/// SQLite + the in-process bus or Postgres (a database of its own) + RabbitMQ (a prefix of its own).
/// Events are published on the host's own bus, as the Receiver would.
/// </summary>
public sealed class RuntimeFixture : IAsyncDisposable
{
    private readonly WebApplicationFactory<Program> _factory;
    private readonly TestDatabase? _database;
    private readonly string _dataDirectory;

    private RuntimeFixture(string projectRoot, TestDatabase? database, string? rabbitmq, string entityPrefix, IDictionary<string, string?>? settings)
    {
        ProjectRoot = projectRoot;
        _database = database;
        EntityPrefix = entityPrefix;
        _dataDirectory = Directory.CreateTempSubdirectory("loopy-rt-data-").FullName;
        _factory = new WebApplicationFactory<Program>().WithWebHostBuilder(web =>
        {
            web.UseSetting("ConnectionStrings:postgres", database?.ConnectionString ?? string.Empty);
            web.UseSetting("ConnectionStrings:rabbitmq", rabbitmq ?? string.Empty);
            web.UseSetting("ConnectionStrings:redis", string.Empty);
            web.UseSetting("Loopy:DataDirectory", _dataDirectory);
            web.UseSetting("Loopy:Bus:EntityPrefix", entityPrefix);
            web.ConfigureLogging(logging => logging.AddProvider(Logs));
            foreach (var (key, value) in DefaultSettings(projectRoot))
            {
                web.UseSetting(key, value);
            }

            foreach (var (key, value) in settings ?? new Dictionary<string, string?>())
            {
                web.UseSetting(key, value);
            }
        });
    }

    public string ProjectRoot { get; }

    /// <summary>Everything the host logged (Information and above).</summary>
    public CapturedLogs Logs { get; } = new();

    public string EntityPrefix { get; }

    public string? PostgresConnectionString => _database?.ConnectionString;

    public IServiceProvider Services => _factory.Services;

    /// <summary>Fast settings for tests: short leases, polls and backoff; a wall-clock unit of one second.</summary>
    public static Dictionary<string, string?> DefaultSettings(string projectRoot) => new()
    {
        ["Loopy:Runtime:ManifestPath"] = Path.Combine(projectRoot, "manifest.json"),
        ["Loopy:Runtime:LeaseDuration"] = "00:00:03",
        ["Loopy:Runtime:PollInterval"] = "00:00:00.100",
        ["Loopy:Runtime:OutboxPollInterval"] = "00:00:00.100",
        ["Loopy:Runtime:RetryBaseDelay"] = "00:00:00.100",
        ["Loopy:Runtime:WallClockUnit"] = "00:00:01",
        ["Loopy:Runtime:MaxChainDepth"] = "3",
        ["Loopy:Bus:RetryDelay"] = "00:00:00.050",
    };

    public static async Task<RuntimeFixture> StartAsync(string projectRoot, string? postgresServer, string? rabbitmq, IDictionary<string, string?>? settings, CancellationToken cancellationToken)
    {
        var database = postgresServer is null ? null : await TestDatabase.CreateAsync(postgresServer, cancellationToken);
        var fixture = new RuntimeFixture(projectRoot, database, rabbitmq, $"rt{Guid.NewGuid():N}"[..14], settings);
        _ = fixture.Services; // starts the host: schema, manifest, subscriptions
        return fixture;
    }

    public HttpClient CreateClient() => _factory.CreateClient();

    public async Task PublishAsync(string eventName, object fields, string? eventId = null, CancellationToken cancellationToken = default)
    {
        var bus = Services.GetRequiredService<IEventBus>();
        await bus.PublishAsync(Event(eventName, fields, eventId), cancellationToken);
    }

    public static EventAccepted Event(string eventName, object fields, string? eventId = null) => new()
    {
        EventId = eventId ?? $"evt-{Guid.NewGuid():N}",
        EventName = eventName,
        Fields = JsonSerializer.SerializeToElement(fields),
        Producer = "tests",
        AcceptedAt = TimeProvider.System.GetUtcNow(),
    };

    public async Task<RuntimeDbContext> OpenDbAsync(CancellationToken cancellationToken) =>
        await Services.GetRequiredService<RuntimeStore>().OpenAsync(cancellationToken);

    /// <summary>GET /runs?workflow=… as JSON.</summary>
    public async Task<JsonElement[]> RunsAsync(string workflow, CancellationToken cancellationToken)
    {
        using var client = CreateClient();
        var runs = await client.GetFromJsonAsync<JsonElement>($"/runs?workflow={workflow}", cancellationToken);
        return [.. runs.EnumerateArray()];
    }

    public async Task<JsonElement> RunAsync(string id, CancellationToken cancellationToken)
    {
        using var client = CreateClient();
        return await client.GetFromJsonAsync<JsonElement>($"/runs/{Uri.EscapeDataString(id)}", cancellationToken);
    }

    public async Task<JsonElement[]> HistoryAsync(string id, CancellationToken cancellationToken)
    {
        using var client = CreateClient();
        var history = await client.GetFromJsonAsync<JsonElement>($"/runs/{Uri.EscapeDataString(id)}/history", cancellationToken);
        return [.. history.EnumerateArray()];
    }

    /// <summary>Waits for the one run of <paramref name="workflow"/> to reach a terminal status and returns its details.</summary>
    public async Task<JsonElement> WaitForTerminalRunAsync(string workflow, CancellationToken cancellationToken, TimeSpan? timeout = null)
    {
        var summary = await Wait.ForAsync<object>(async () =>
        {
            var runs = await RunsAsync(workflow, cancellationToken);
            return runs.Length == 1 && runs[0].GetProperty("status").GetString() is "completed" or "failed" or "cancelled" ? runs[0] : null;
        }, timeout ?? TimeSpan.FromSeconds(60), $"a terminal run of {workflow}", cancellationToken);
        return await RunAsync(((JsonElement)summary).GetProperty("id").GetString()!, cancellationToken);
    }

    public async ValueTask DisposeAsync()
    {
        await _factory.DisposeAsync();
        if (_database is not null)
        {
            await _database.DisposeAsync();
        }

        TryDelete(_dataDirectory);
        TryDelete(ProjectRoot);
    }

    private static void TryDelete(string directory)
    {
        try
        {
            Directory.Delete(directory, recursive: true);
        }
        catch (IOException)
        {
            // A process may still hold a file for a moment; the temp folder is cleaned by the OS.
        }
    }
}
