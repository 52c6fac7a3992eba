using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace Loopy.Receiver.Validation;

/// <summary>Ready only when a manifest is loaded: without one, every event would be refused.</summary>
public sealed class ManifestHealthCheck(ManifestContracts manifest) : IHealthCheck
{
    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        try
        {
            var contracts = await manifest.GetAsync(cancellationToken);
            return HealthCheckResult.Healthy($"{contracts.EventNames.Count()} event contracts loaded");
        }
        catch (ManifestUnavailableException)
        {
            return HealthCheckResult.Unhealthy("no manifest loaded");
        }
    }
}
