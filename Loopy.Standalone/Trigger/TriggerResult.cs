using System.Text.Json;

namespace Loopy.Standalone.Trigger;

/// <summary>
/// What <see cref="InProcessTrigger"/> saw: the gate's refusal, or the accepted event's id and every run of its
/// cascade (the runs it started and the runs their emitted events started), oldest first.
/// </summary>
public sealed record TriggerResult(string? EventId, TriggerRefusal? Refusal, IReadOnlyList<TriggeredRun> Runs)
{
    /// <summary>True when the cascade had not settled within <see cref="TriggerRequest.Timeout"/>; <see cref="Runs"/> is what had happened by then.</summary>
    public bool TimedOut { get; init; }

    /// <summary>The fields of the event that started the cascade (for a cron tick, <c>scheduled_at</c> and <c>last_run</c>).</summary>
    public JsonElement? EventFields { get; init; }

    public static TriggerResult Refused(TriggerRefusal refusal) => new(null, refusal, []);
}
