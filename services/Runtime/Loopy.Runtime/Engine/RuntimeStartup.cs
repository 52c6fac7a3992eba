using Loopy.Runtime.Manifests;
using Loopy.Runtime.State;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Loopy.Runtime.Engine;

/// <summary>
/// Start-up of a replica: creates the schema (idempotent, safe with replicas starting together), loads
/// the manifest, runs its preflight, subscribes one competing consumer per event-triggered workflow, then lets the loops run.
/// </summary>
public sealed class RuntimeStartup(
    RuntimeStore store,
    ManifestCatalog catalog,
    WorkflowSubscriptions subscriptions,
    RuntimeReplica replica,
    RuntimeReadiness readiness,
    ManifestPreflight preflight,
    ILogger<RuntimeStartup> logger) : IHostedService
{
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        await SchemaInitializer.EnsureSchemaAsync(store, cancellationToken).ConfigureAwait(false);
        await catalog.LoadAsync(cancellationToken).ConfigureAwait(false);
        preflight.Check(catalog.Active);
        var routes = await subscriptions.EnsureAsync(catalog.Active.Manifest, cancellationToken).ConfigureAwait(false);
        RuntimeLog.Started(logger, replica.Id, catalog.Active.Hash, routes);
        readiness.MarkReady();
    }

    public async Task StopAsync(CancellationToken cancellationToken) => await subscriptions.DisposeAsync().ConfigureAwait(false);
}
