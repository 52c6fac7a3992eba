using System.Text.Json;
using Loopy.Bus;
using Loopy.Contracts.Manifest;
using Loopy.Contracts.Messages;
using Loopy.Runtime.Engine;
using Loopy.Runtime.State;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Loopy.Runtime.Tests.Engine;

/// <summary>
/// The outbox relay on a real SQLite store and a real in-process bus: a bus that went away under a pass while the
/// host stops is not a failure worth a warning (the row stays unsent for the next start); the same fault while the
/// host runs is.
/// </summary>
public sealed class OutboxRelayTests : IAsyncDisposable
{
    private static readonly JsonSerializerOptions MessageJson = new(JsonSerializerDefaults.Web);
    private readonly string _directory = Directory.CreateTempSubdirectory("loopy-relay-").FullName;
    private readonly ServiceProvider _services;
    private readonly CapturedLogs _logs = new();
    private readonly ILoggerFactory _loggers;

    public OutboxRelayTests()
    {
        var path = Path.Combine(_directory, "state.db");
        _services = new ServiceCollection()
            .AddDbContextFactory<RuntimeDbContext>(o => o.UseSqlite($"Data Source={path};Default Timeout=30"))
            .BuildServiceProvider();
        _loggers = LoggerFactory.Create(logging => logging.AddProvider(_logs));
    }

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task A_bus_disposed_under_a_pass_while_stopping_logs_no_warning_and_the_row_stays_unsent()
    {
        var store = await StoreWithOneUnsentRowAsync();
        var bus = await DisposedBusAsync();
        var gated = new GatedBus(bus);
        using var signals = new EngineSignals();
        var readiness = new RuntimeReadiness();
        readiness.MarkReady();
        var relay = new OutboxRelay(store, gated, signals, readiness, Options.Create(new RuntimeOptions()), TimeProvider.System, _loggers.CreateLogger<OutboxRelay>());

        await relay.StartAsync(Ct);
        await gated.Entered.WaitAsync(Ct);
        var stopping = relay.StopAsync(Ct); // cancels the pass's token first, then waits for the pass to end
        gated.Release();
        await stopping;

        Assert.DoesNotContain(_logs.Entries, e => e.Level >= LogLevel.Warning);
        Assert.Equal(1, await UnsentAsync(store));
    }

    [Fact]
    public async Task The_same_fault_while_running_is_logged_as_a_warning()
    {
        var store = await StoreWithOneUnsentRowAsync();
        var bus = await DisposedBusAsync();
        using var signals = new EngineSignals();
        var readiness = new RuntimeReadiness();
        readiness.MarkReady();
        var relay = new OutboxRelay(store, bus, signals, readiness, Options.Create(new RuntimeOptions()), TimeProvider.System, _loggers.CreateLogger<OutboxRelay>());

        await relay.StartAsync(Ct);
        var warning = await Wait.ForAsync(
            () => Task.FromResult(_logs.Entries.Where(e => e.Level == LogLevel.Warning).Select(e => e.Message).FirstOrDefault()),
            TimeSpan.FromSeconds(30), "the relay's warning", Ct);
        await relay.StopAsync(Ct);

        Assert.Contains("Publishing emitted event (batch) failed", warning, StringComparison.Ordinal);
        Assert.Contains("disposed object", warning, StringComparison.Ordinal);
        Assert.Equal(1, await UnsentAsync(store));
    }

    public async ValueTask DisposeAsync()
    {
        _loggers.Dispose();
        await _services.DisposeAsync();
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        Directory.Delete(_directory, recursive: true);
    }

    private async Task<RuntimeStore> StoreWithOneUnsentRowAsync()
    {
        var store = new RuntimeStore(_services.GetRequiredService<IDbContextFactory<RuntimeDbContext>>(), StateProvider.Sqlite);
        await SchemaInitializer.EnsureSchemaAsync(store, Ct);
        var message = new EventAccepted
        {
            EventId = "run-1:step-1:Greet",
            EventName = "Greet",
            Fields = JsonSerializer.SerializeToElement(new { name = "relay" }),
            Producer = "runtime",
            AcceptedAt = TimeProvider.System.GetUtcNow(),
        };
        await using var db = await store.OpenAsync(Ct);
        db.Outbox.Add(new OutboxRecord
        {
            EventId = message.EventId,
            RunId = "run-1",
            EventName = message.EventName,
            Message = JsonSerializer.Serialize(message, MessageJson),
            CreatedAt = TimeProvider.System.GetUtcNow().ToUnixTimeMilliseconds(),
        });
        await db.SaveChangesAsync(Ct);
        return store;
    }

    /// <summary>A real in-process bus, already disposed: its publish throws <see cref="ObjectDisposedException"/>, as at shutdown.</summary>
    private async Task<IEventBus> DisposedBusAsync()
    {
        var bus = BusServiceCollectionExtensions.Create(BusTransport.InProcess, null, new BusOptions(), TimeProvider.System, _loggers);
        await bus.DisposeAsync();
        return bus;
    }

    private static async Task<int> UnsentAsync(RuntimeStore store)
    {
        await using var db = await store.OpenAsync(Ct);
        return await db.Outbox.CountAsync(o => o.SentAt == null, Ct);
    }

    /// <summary>
    /// Holds each publish until released, so a test can stop the relay while a pass is inside the bus; then hands the
    /// publish to the real bus underneath.
    /// </summary>
    private sealed class GatedBus(IEventBus inner) : IEventBus
    {
        private readonly TaskCompletionSource _entered = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private readonly TaskCompletionSource _released = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public Task Entered => _entered.Task;

        public void Release() => _released.TrySetResult();

        public async Task PublishAsync(EventAccepted message, CancellationToken cancellationToken = default)
        {
            _entered.TrySetResult();
            await _released.Task;
            await inner.PublishAsync(message, cancellationToken);
        }

        public Task<IAsyncDisposable> SubscribeAsync(BusSubscription subscription, CancellationToken cancellationToken = default) =>
            inner.SubscribeAsync(subscription, cancellationToken);

        public Task ProvisionAsync(IReadOnlyCollection<EventRoute> routes, CancellationToken cancellationToken = default) =>
            inner.ProvisionAsync(routes, cancellationToken);

        public Task<IReadOnlyList<DeadLetter>> ReadDeadLettersAsync(string workflow, int maxCount, CancellationToken cancellationToken = default) =>
            inner.ReadDeadLettersAsync(workflow, maxCount, cancellationToken);

        public ValueTask DisposeAsync() => inner.DisposeAsync();
    }
}
