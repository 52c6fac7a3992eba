namespace Loopy.Receiver.Dedupe;

/// <summary>What the Receiver remembers of an accepted event: enough to answer a retry with the original acceptance.</summary>
public sealed record AcceptedEventRecord(string EventId, string EventName, string Producer, string BodyHash, DateTimeOffset AcceptedAt);
