using Loopy.Contracts.Manifest;
using Loopy.Contracts.Messages;

namespace Loopy.Bus;

/// <summary>
/// The bus seam. Publishing returns only once the broker has durably accepted the message;
/// subscribing attaches one competing consumer of a workflow to the event names it listens to.
/// Delivery is at-least-once: a handler that throws, or a consumer that goes away before its
/// handler finished, leads to redelivery; after <see cref="BusOptions.MaxAttempts"/> attempts the
/// message is dead-lettered with the reason.
/// </summary>
public interface IEventBus : IAsyncDisposable
{
    /// <summary>
    /// Publishes <paramref name="message"/> to every workflow subscribed to its event name. Completes
    /// when the broker has durably accepted it (publisher confirm, XADD reply, in-process enqueue);
    /// throws <see cref="BusUnavailableException"/> when that cannot happen within
    /// <see cref="BusOptions.PublishTimeout"/>. A failed publish may still have been delivered
    /// (at-least-once): retry it with the same event id.
    /// </summary>
    Task PublishAsync(EventAccepted message, CancellationToken cancellationToken = default);

    /// <summary>
    /// Starts one consumer for <see cref="BusSubscription.Workflow"/>. Every workflow gets every event
    /// it subscribes to (fan-out); subscriptions of the same workflow compete (each delivery goes to
    /// one of them). The workflow's queue/group outlives the subscription: messages published while
    /// no consumer runs wait for the next one. Dispose the returned handle to stop consuming; a
    /// delivery whose handler has not completed by then is not acknowledged and goes to another consumer.
    /// </summary>
    Task<IAsyncDisposable> SubscribeAsync(BusSubscription subscription, CancellationToken cancellationToken = default);

    /// <summary>
    /// Creates each route's workflow queue / consumer group and its bindings without consuming, so events published
    /// from now on wait for the workflow's first consumer instead of being dropped because nobody subscribed yet.
    /// Idempotent; a publisher calls it for every manifest version before publishing under it. Throws
    /// <see cref="BusUnavailableException"/> when the broker cannot be reached.
    /// </summary>
    Task ProvisionAsync(IReadOnlyCollection<EventRoute> routes, CancellationToken cancellationToken = default);

    /// <summary>Reads (without removing) up to <paramref name="maxCount"/> dead letters of a workflow, oldest first.</summary>
    Task<IReadOnlyList<DeadLetter>> ReadDeadLettersAsync(string workflow, int maxCount, CancellationToken cancellationToken = default);
}
