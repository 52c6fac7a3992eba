namespace Loopy.Runtime.State;

/// <summary>
/// An event emitted by a step, written in the transaction that completed the step and published
/// afterwards by the relay. <see cref="EventId"/> is deterministic (<c>&lt;run_id&gt;:&lt;step_id&gt;:&lt;Event&gt;</c>),
/// so a step can never emit the same event twice. Times are Unix milliseconds.
/// </summary>
public sealed class OutboxRecord
{
    public required string EventId { get; set; }

    public required string RunId { get; set; }

    public required string EventName { get; set; }

    /// <summary>The serialized <c>EventAccepted</c> message.</summary>
    public required string Message { get; set; }

    public long CreatedAt { get; set; }

    public long? SentAt { get; set; }
}
