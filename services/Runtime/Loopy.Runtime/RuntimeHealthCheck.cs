using Loopy.Runtime.Engine;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace Loopy.Runtime;

/// <summary>Ready once the schema exists, the manifest is loaded and the subscriptions run.</summary>
public sealed class RuntimeHealthCheck(RuntimeReadiness readiness) : IHealthCheck
{
    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default) =>
        Task.FromResult(readiness.IsReady ? HealthCheckResult.Healthy() : HealthCheckResult.Unhealthy("the Runtime is starting"));
}
