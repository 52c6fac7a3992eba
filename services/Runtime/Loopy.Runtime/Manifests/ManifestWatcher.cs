using Loopy.Manifests;
using Loopy.Runtime.Engine;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Loopy.Runtime.Manifests;

/// <summary>
/// Asks the manifest source every <see cref="ManifestSourceOptions.PollInterval"/> whether the version changed and
/// switches without a restart: new runs start on the new version and its new routes get consumers; runs already
/// started finish on the version they were pinned to.
/// </summary>
public sealed class ManifestWatcher(
    ManifestCatalog catalog,
    WorkflowSubscriptions subscriptions,
    RuntimeReadiness readiness,
    ManifestPreflight preflight,
    ManifestSourceOptions sourceOptions,
    TimeProvider time,
    ILogger<ManifestWatcher> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        try
        {
            await readiness.WaitAsync(stoppingToken).ConfigureAwait(false);
            while (!stoppingToken.IsCancellationRequested)
            {
                await Task.Delay(sourceOptions.PollInterval, time, stoppingToken).ConfigureAwait(false);
                try
                {
                    if (await catalog.RefreshAsync(stoppingToken).ConfigureAwait(false))
                    {
                        preflight.Check(catalog.Active);
                        var routes = await subscriptions.EnsureAsync(catalog.Active.Manifest, stoppingToken).ConfigureAwait(false);
                        RuntimeLog.ManifestSwitched(logger, catalog.Active.Hash, routes);
                    }
                }
                catch (Exception ex) when (ex is not OperationCanceledException)
                {
                    // A broken version or an unreachable source keeps the current version serving.
                    RuntimeLog.ManifestRefreshFailed(logger, ex.GetType().Name, ex.Message);
                }
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // Stopping.
        }
    }
}
