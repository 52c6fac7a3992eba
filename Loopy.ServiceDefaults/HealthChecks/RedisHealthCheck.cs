using Microsoft.Extensions.Diagnostics.HealthChecks;
using StackExchange.Redis;

namespace Loopy.ServiceDefaults.HealthChecks;

/// <summary>Connects and sends <c>PING</c>.</summary>
public sealed class RedisHealthCheck(string connectionString) : IHealthCheck
{
    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        try
        {
            var options = ConfigurationOptions.Parse(connectionString);
            options.AbortOnConnectFail = true;
            options.ConnectTimeout = 2000;
            options.ConnectRetry = 0;
            await using var connection = await ConnectionMultiplexer.ConnectAsync(options);
            await connection.GetDatabase().PingAsync();
            return HealthCheckResult.Healthy("redis answered");
        }
        catch (Exception ex) when (ex is RedisException or TimeoutException or OperationCanceledException or ArgumentException)
        {
            return HealthCheckResult.Unhealthy("redis unreachable");
        }
    }
}
