using Loopy.Runtime.Engine;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace Loopy.Runtime;

/// <summary>
/// Ready once the schema exists, the manifest is loaded and the subscriptions run; <c>Degraded</c> (still ready)
/// while a workflow of the served version fails its preflight on this replica.
/// </summary>
public sealed class RuntimeHealthCheck(RuntimeReadiness readiness, ManifestPreflight preflight) : IHealthCheck
{
    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        if (!readiness.IsReady)
        {
            return Task.FromResult(HealthCheckResult.Unhealthy("the Runtime is starting"));
        }

        return Task.FromResult(preflight.Describe() is { } problems ? HealthCheckResult.Degraded(problems) : HealthCheckResult.Healthy());
    }
}
