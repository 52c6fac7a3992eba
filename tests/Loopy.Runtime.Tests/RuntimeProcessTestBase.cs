using Loopy.Bus;
using Loopy.Testing;
using Microsoft.Extensions.Logging.Abstractions;

namespace Loopy.Runtime.Tests;

/// <summary>
/// Tests that run real Runtime processes on Postgres + RabbitMQ: a fresh database, a private bus prefix, the scenarios
/// project, and the replicas the test started, all cleaned up after it.
/// </summary>
public abstract class RuntimeProcessTestBase(string prefix) : IAsyncLifetime
{
    protected List<RuntimeProcess> Replicas { get; } = [];

    protected TestDatabase Database { get; private set; } = null!;

    protected IEventBus Bus { get; private set; } = null!;

    protected string ProjectRoot { get; private set; } = string.Empty;

    protected string Prefix { get; } = $"{prefix}{Guid.NewGuid():N}"[..14];

    protected static CancellationToken Ct => TestContext.Current.CancellationToken;

    public async ValueTask InitializeAsync()
    {
        Database = await TestDatabase.CreateAsync(TestServers.Postgres, Ct);
        ProjectRoot = TestProjects.Scenarios();
        Bus = BusServiceCollectionExtensions.Create(BusTransport.RabbitMq, TestServers.RabbitMq,
            new BusOptions { EntityPrefix = Prefix, PublishTimeout = TimeSpan.FromSeconds(10) }, TimeProvider.System, NullLoggerFactory.Instance);
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var replica in Replicas)
        {
            await replica.DisposeAsync();
        }

        if (Bus is not null)
        {
            await Bus.DisposeAsync();
        }

        if (Database is not null)
        {
            await Database.DisposeAsync();
        }

        GC.SuppressFinalize(this);
    }
}
