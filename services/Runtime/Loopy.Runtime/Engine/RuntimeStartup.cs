using Loopy.Bus;
using Loopy.Runtime.Manifests;
using Loopy.Runtime.State;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Loopy.Runtime.Engine;

/// <summary>
/// Start-up of a replica: creates the schema (idempotent, safe with replicas starting together), loads
/// the manifest, subscribes one competing consumer per event-triggered workflow, then lets the loops run.
/// </summary>
public sealed class RuntimeStartup(
    RuntimeStore store,
    ManifestCatalog catalog,
    RunIntake intake,
    IEventBus bus,
    RuntimeReplica replica,
    RuntimeReadiness readiness,
    IOptions<RuntimeOptions> options,
    ILogger<RuntimeStartup> logger) : IHostedService
{
    private readonly List<IAsyncDisposable> _subscriptions = [];

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        await SchemaInitializer.EnsureSchemaAsync(store, cancellationToken).ConfigureAwait(false);
        await catalog.LoadAsync(cancellationToken).ConfigureAwait(false);
        var triggered = RunIntake.EventTriggered(catalog.Active.Manifest).ToList();
        foreach (var (workflow, eventName) in triggered)
        {
            var subscription = new BusSubscription(workflow, [eventName], (delivery, ct) => intake.HandleAsync(delivery, ct))
            {
                Concurrency = Math.Max(1, options.Value.MaxConcurrentSteps),
            };
            var handle = await bus.SubscribeAsync(subscription, cancellationToken).ConfigureAwait(false);
            lock (_subscriptions)
            {
                _subscriptions.Add(handle);
            }
        }

        RuntimeLog.Started(logger, replica.Id, catalog.Active.Hash, triggered.Count);
        readiness.MarkReady();
    }

    public async Task StopAsync(CancellationToken cancellationToken)
    {
        // The host may stop twice (lifetime and dispose): take the list once.
        IAsyncDisposable[] subscriptions;
        lock (_subscriptions)
        {
            subscriptions = [.. _subscriptions];
            _subscriptions.Clear();
        }

        foreach (var subscription in subscriptions)
        {
            await subscription.DisposeAsync().ConfigureAwait(false);
        }
    }
}
