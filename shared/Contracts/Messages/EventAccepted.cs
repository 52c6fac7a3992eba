using System.Text.Json;

namespace Loopy.Contracts.Messages;

/// <summary>
/// An event the Receiver has accepted (or a step has emitted), as it travels on the bus to every
/// workflow that subscribes to <see cref="EventName"/>. Consumers may see it more than once:
/// <see cref="EventId"/> is the idempotency key.
/// </summary>
public sealed record EventAccepted
{
    /// <summary>The producer-supplied (or generated) unique id of the event; the dedupe key.</summary>
    public required string EventId { get; init; }

    /// <summary>The event name from the manifest (<c>sentry.alert</c>, <c>github.push</c>, ...).</summary>
    public required string EventName { get; init; }

    /// <summary>The validated fields of the event, as a JSON object.</summary>
    public required JsonElement Fields { get; init; }

    /// <summary>Who produced it: a producer credential name, or <c>workflow:NAME</c> for an emitted event.</summary>
    public required string Producer { get; init; }

    /// <summary>When the Receiver (or the emitting step) accepted it.</summary>
    public required DateTimeOffset AcceptedAt { get; init; }

    /// <summary>The manifest version (content hash) the event was validated against.</summary>
    public string? ManifestVersion { get; init; }

    /// <summary>W3C <c>traceparent</c> of the span that published the event.</summary>
    public string? TraceParent { get; init; }

    /// <summary>W3C <c>tracestate</c> that goes with <see cref="TraceParent"/>.</summary>
    public string? TraceState { get; init; }

    /// <summary>0 for an event from outside; one more than its cause for an event emitted by a step (loop protection).</summary>
    public int ChainDepth { get; init; }

    /// <summary>The id shared by every event of one cascade (the first event's id), when emitted by a step.</summary>
    public string? CascadeId { get; init; }
}
