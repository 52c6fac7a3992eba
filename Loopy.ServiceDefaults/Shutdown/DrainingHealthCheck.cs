using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Hosting;

namespace Loopy.ServiceDefaults.Shutdown;

/// <summary>
/// Readiness fails as soon as the host starts shutting down (SIGTERM, Ctrl-C): a load balancer or Kubernetes stops
/// sending new work while the host drains what it holds. Liveness (<c>/alive</c>) is unaffected.
/// </summary>
public sealed class DrainingHealthCheck(IHostApplicationLifetime lifetime) : IHealthCheck
{
    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default) =>
        Task.FromResult(lifetime.ApplicationStopping.IsCancellationRequested
            ? HealthCheckResult.Unhealthy("draining: the host is shutting down")
            : HealthCheckResult.Healthy());
}
