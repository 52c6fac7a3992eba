namespace Loopy.Receiver.Dedupe;

/// <summary>The record of an event and whether this request was the one that accepted it.</summary>
public sealed record AcceptanceOutcome(AcceptedEventRecord Record, bool IsNew);
