namespace Loopy.SensorHost.Polling;

/// <summary>
/// A claim's answer: for <see cref="TickClaimOutcome.Claimed"/> the tick id, the window start (the stored
/// watermark, null the first time) and <c>scheduled_at</c>; otherwise how long to wait before asking again.
/// </summary>
public sealed record TickClaim(
    TickClaimOutcome Outcome,
    string? TickId = null,
    DateTimeOffset? WindowStart = null,
    DateTimeOffset ScheduledAt = default,
    TimeSpan RetryAfter = default);
