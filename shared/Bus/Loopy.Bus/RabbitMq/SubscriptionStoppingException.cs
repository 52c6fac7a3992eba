namespace Loopy.Bus.RabbitMq;

/// <summary>Thrown from a consumer whose subscription is being disposed: the delivery must be requeued, not faulted.</summary>
internal sealed class SubscriptionStoppingException : Exception
{
    public SubscriptionStoppingException()
        : base("The subscription is stopping; the delivery is handed back to the broker.")
    {
    }

    public SubscriptionStoppingException(string message)
        : base(message)
    {
    }

    public SubscriptionStoppingException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
