namespace Loopy.Bus;

/// <summary>The transports the bus can run on.</summary>
public enum BusTransport
{
    InProcess,
    RabbitMq,
    Redis,
}
