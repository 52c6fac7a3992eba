namespace Loopy.Receiver.Checkpoints;

/// <summary>
/// A claim's outcome: when <see cref="TickClaimStatus.Claimed"/>, the new tick id, the window start (the stored
/// watermark; null the first time), <c>scheduled_at</c> (the Receiver's now) and the lease end; otherwise when to ask again.
/// </summary>
public sealed record TickClaimResult(
    TickClaimStatus Status,
    string? TickId,
    DateTimeOffset? WindowStart,
    DateTimeOffset ScheduledAt,
    DateTimeOffset? LeaseUntil,
    TimeSpan RetryAfter);
