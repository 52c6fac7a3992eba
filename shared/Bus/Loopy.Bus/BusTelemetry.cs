using System.Diagnostics;
using System.Diagnostics.Metrics;
using Loopy.Contracts.Messages;

namespace Loopy.Bus;

/// <summary>The bus's one <see cref="ActivitySource"/> and <see cref="Meter"/>, both named <c>Loopy.Bus</c>.</summary>
public static class BusTelemetry
{
    public const string Name = "Loopy.Bus";

    public static readonly ActivitySource ActivitySource = new(Name);

    public static readonly Meter Meter = new(Name);

    private static readonly Counter<long> Published = Meter.CreateCounter<long>("loopy.bus.published", "{message}", "Messages durably accepted by the broker.");
    private static readonly Counter<long> PublishFailed = Meter.CreateCounter<long>("loopy.bus.publish_failed", "{message}", "Publishes that were not confirmed.");
    private static readonly Counter<long> Handled = Meter.CreateCounter<long>("loopy.bus.handled", "{message}", "Deliveries handled and acknowledged.");
    private static readonly Counter<long> HandlerFailed = Meter.CreateCounter<long>("loopy.bus.handler_failed", "{message}", "Deliveries whose handler threw.");
    private static readonly Counter<long> DeadLettered = Meter.CreateCounter<long>("loopy.bus.dead_lettered", "{message}", "Messages moved to the dead letter.");

    /// <summary>
    /// Starts the producer span (child of the current activity, else of the trace context already on
    /// the message) and stamps its W3C context on the message, so the consumer continues the trace.
    /// </summary>
    internal static (Activity? Activity, EventAccepted Message) StartPublish(EventAccepted message, string transport)
    {
        ActivityContext parent = default;
        if (Activity.Current is null && message.TraceParent is not null)
        {
            _ = ActivityContext.TryParse(message.TraceParent, message.TraceState, isRemote: true, out parent);
        }

        var activity = Activity.Current is null && parent != default
            ? ActivitySource.StartActivity($"publish {message.EventName}", ActivityKind.Producer, parent)
            : ActivitySource.StartActivity($"publish {message.EventName}", ActivityKind.Producer);
        if (activity is not null)
        {
            activity.SetTag("messaging.system", transport);
            activity.SetTag("messaging.destination.name", message.EventName);
            activity.SetTag("messaging.message.id", message.EventId);
            message = message with { TraceParent = activity.Id, TraceState = activity.TraceStateString };
        }
        else if (message.TraceParent is null && Activity.Current is { } current)
        {
            message = message with { TraceParent = current.Id, TraceState = current.TraceStateString };
        }

        return (activity, message);
    }

    /// <summary>Starts the consumer span with the message's W3C trace context as its parent.</summary>
    internal static Activity? StartProcess(BusDelivery delivery, string transport)
    {
        var message = delivery.Message;
        _ = ActivityContext.TryParse(message.TraceParent, message.TraceState, isRemote: true, out var parent);
        var activity = ActivitySource.StartActivity($"process {message.EventName}", ActivityKind.Consumer, parent);
        if (activity is not null)
        {
            activity.SetTag("messaging.system", transport);
            activity.SetTag("messaging.destination.name", message.EventName);
            activity.SetTag("messaging.consumer.group.name", delivery.Workflow);
            activity.SetTag("messaging.message.id", message.EventId);
            activity.SetTag("loopy.bus.attempt", delivery.Attempt);
        }

        return activity;
    }

    internal static void RecordPublished(string transport) => Published.Add(1, new KeyValuePair<string, object?>("messaging.system", transport));

    internal static void RecordPublishFailed(string transport) => PublishFailed.Add(1, new KeyValuePair<string, object?>("messaging.system", transport));

    internal static void RecordHandled(string transport) => Handled.Add(1, new KeyValuePair<string, object?>("messaging.system", transport));

    internal static void RecordHandlerFailed(string transport) => HandlerFailed.Add(1, new KeyValuePair<string, object?>("messaging.system", transport));

    internal static void RecordDeadLettered(string transport) => DeadLettered.Add(1, new KeyValuePair<string, object?>("messaging.system", transport));
}
