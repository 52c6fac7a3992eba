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

    /// <summary>The longest the whole cascade may take before the trigger gives up.</summary>
    public TimeSpan Timeout { get; init; } = TimeSpan.FromHours(1);
}
