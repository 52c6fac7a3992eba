using System.Text.Json;

namespace Loopy.Standalone.Trigger;

/// <summary>
/// One event to run in process (<c>loopy trigger</c>): the compiled manifest (its JSON text), the project its
/// commands and env files resolve against, the event, and how long to wait for the cascade it starts.
/// </summary>
public sealed record TriggerRequest(string ManifestJson, string ProjectRoot, string EventName, JsonElement Fields)
{
    /// <summary>The event's id; the Receiver assigns a UUIDv7 when null.</summary>
    public string? EventId { get; init; }

    /// <summary>
    /// Instead of an event: fire one tick of this cron-triggered workflow with <c>scheduled_at</c> = now and
    /// <c>last_run</c> = the schedule's previous occurrence (AUTHORING.md §5, decision); the event fields are ignored.
    /// </summary>
    public string? CronWorkflow { get; init; }

    /// <summary>False for <c>--no-tokens</c>: no GitHub App installation token for steps cloning from github.com.</summary>
    public bool GitHubAppTokens { get; init; } = true;

    /// <summary>The longest the whole cascade may take before the trigger gives up.</summary>
    public TimeSpan Timeout { get; init; } = TimeSpan.FromHours(1);
}
