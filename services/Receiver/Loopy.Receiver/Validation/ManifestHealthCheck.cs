using Loopy.Bus;
using Loopy.Receiver.Ingress;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace Loopy.Receiver.Validation;

/// <summary>Ready only when a manifest is loaded: without one, every event would be refused.</summary>
public sealed class ManifestHealthCheck(ManifestContracts manifest, BusTopology topology) : IHealthCheck
{
    private static readonly TimeSpan ProvisionTimeout = TimeSpan.FromSeconds(5);

    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        try
        {
            var contracts = await manifest.GetAsync(cancellationToken);

            // Ready also means the bus is connected and this version's workflow queues exist (once per version), so
            // a load balancer sends nothing to a replica whose first publish would still be connecting.
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            timeout.CancelAfter(ProvisionTimeout);
            await topology.EnsureAsync(contracts, timeout.Token);
            return HealthCheckResult.Healthy($"{contracts.EventNames.Count()} event contracts loaded, bus topology provisioned");
        }
        catch (ManifestUnavailableException)
        {
            return HealthCheckResult.Unhealthy("no manifest loaded");
        }
        catch (BusUnavailableException ex)
        {
            return HealthCheckResult.Unhealthy($"the bus is not ready: {ex.Message}");
        }
    }
}
