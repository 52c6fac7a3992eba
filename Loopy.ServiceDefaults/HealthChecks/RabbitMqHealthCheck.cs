using Microsoft.Extensions.Diagnostics.HealthChecks;
using RabbitMQ.Client;
using RabbitMQ.Client.Exceptions;

namespace Loopy.ServiceDefaults.HealthChecks;

/// <summary>Opens an AMQP connection and a channel. (No RabbitMQ health-check package is served.)</summary>
public sealed class RabbitMqHealthCheck(string connectionString) : IHealthCheck
{
    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        try
        {
            var factory = new ConnectionFactory
            {
                Uri = new Uri(connectionString),
                RequestedConnectionTimeout = TimeSpan.FromSeconds(2),
                AutomaticRecoveryEnabled = false,
            };
            await using var connection = await factory.CreateConnectionAsync("loopy-health", cancellationToken);
            await using var channel = await connection.CreateChannelAsync(cancellationToken: cancellationToken);
            return HealthCheckResult.Healthy("rabbitmq answered");
        }
        catch (Exception ex) when (ex is BrokerUnreachableException or OperationInterruptedException or IOException
                                       or TimeoutException or OperationCanceledException or UriFormatException)
        {
            return HealthCheckResult.Unhealthy("rabbitmq unreachable");
        }
    }
}
