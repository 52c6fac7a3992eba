using Loopy.Testing;

namespace Loopy.Bus.Compliance.Tests;

public sealed class RabbitMqBusComplianceTests : BrokerBusComplianceTests
{
    protected override BusTransport Transport => BusTransport.RabbitMq;

    protected override string? ConnectionString => TestServers.RabbitMq;

    protected override string ServerName => "rabbitmq";
}
