using Loopy.Contracts.Messages;
using MassTransit;
using Microsoft.Extensions.Logging;

namespace Loopy.Bus.RabbitMq;

/// <summary>One consumer (a MassTransit receive endpoint on the workflow's queue) and its handler.</summary>
internal sealed class RabbitMqSubscription(BusSubscription subscription, BusOptions options, ILogger logger) : IAsyncDisposable
{
    private readonly CancellationTokenSource _stopping = new();
    private HostReceiveEndpointHandle? _handle;

    public void Attach(HostReceiveEndpointHandle handle) => _handle = handle;

    public async Task ConsumeAsync(ConsumeContext<EventAccepted> context)
    {
        var message = context.Message;
        if (_stopping.IsCancellationRequested)
        {
            throw new SubscriptionStoppingException();
        }

        var attempt = context.GetRetryAttempt() + 1 + DeliveryCount(context);
        var delivery = new BusDelivery(message, subscription.Workflow, attempt);
        using var activity = BusTelemetry.StartProcess(delivery, RabbitMqEventBus.Transport);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(_stopping.Token, context.CancellationToken);
        try
        {
            await subscription.Handler(delivery, linked.Token);
            BusTelemetry.RecordHandled(RabbitMqEventBus.Transport);
        }
        catch (Exception ex) when (_stopping.IsCancellationRequested)
        {
            BusLog.HandlerFailed(logger, ex, subscription.Workflow, message.EventName, message.EventId, attempt);
            throw new SubscriptionStoppingException("The subscription stopped while the handler ran.", ex);
        }
        catch (Exception ex)
        {
            activity?.SetStatus(System.Diagnostics.ActivityStatusCode.Error, ex.GetType().Name);
            BusTelemetry.RecordHandlerFailed(RabbitMqEventBus.Transport);
            BusLog.HandlerFailed(logger, ex, subscription.Workflow, message.EventName, message.EventId, attempt);
            if (attempt >= options.MaxAttempts)
            {
                BusTelemetry.RecordDeadLettered(RabbitMqEventBus.Transport);
                BusLog.DeadLettered(logger, subscription.Workflow, message.EventName, message.EventId, attempt);
                throw new AttemptsExhaustedException(attempt, ex);
            }

            throw;
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (_stopping.IsCancellationRequested)
        {
            return;
        }

        await _stopping.CancelAsync();
        if (_handle is { } handle)
        {
            await handle.StopAsync(CancellationToken.None);
        }

        _stopping.Dispose();
    }

    /// <summary>Returned deliveries counted by the quorum queue (consumers that died or stopped).</summary>
    private static int DeliveryCount(ConsumeContext context) =>
        context.ReceiveContext.TransportHeaders.TryGetHeader("x-delivery-count", out var value) && value is not null
            ? Convert.ToInt32(value, System.Globalization.CultureInfo.InvariantCulture)
            : 0;
}
