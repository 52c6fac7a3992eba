namespace Loopy.Runtime.State;

/// <summary>
/// One step of a run. <see cref="Id"/> is <c>&lt;run_id&gt;:&lt;step_id&gt;</c>, the idempotency key the agent sees.
/// <see cref="Version"/> is the fencing token: every claim bumps it, and only the holder of the current
/// (owner, version) pair may heartbeat, complete or fail the step. Times are Unix milliseconds.
/// </summary>
public sealed class StepRecord
{
    public required string Id { get; set; }

    public required string RunId { get; set; }

    /// <summary>The step's local name in its workflow.</summary>
    public required string Name { get; set; }

    /// <summary><c>&lt;workflow&gt;/&lt;step&gt;</c>.</summary>
    public required string StepId { get; set; }

    public required string Status { get; set; }

    public int Attempt { get; set; }

    public string? LeaseOwner { get; set; }

    public long? LeaseExpiresAt { get; set; }

    public long Version { get; set; }

    public long NextAttemptAt { get; set; }

    /// <summary>The validated output object as JSON text.</summary>
    public string? Output { get; set; }

    /// <summary>The final reply text, first 64 KiB.</summary>
    public string? Reply { get; set; }

    public double? CostUsd { get; set; }

    public long? InputTokens { get; set; }

    public long? OutputTokens { get; set; }

    public string? Error { get; set; }

    public long? StartedAt { get; set; }

    public long? FinishedAt { get; set; }
}
