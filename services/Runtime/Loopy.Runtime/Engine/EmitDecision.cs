using System.Text.Json;

namespace Loopy.Runtime.Engine;

/// <summary>One declared emit after the step's reply: a payload to publish, or the reason it is skipped.</summary>
public sealed record EmitDecision(string EventName, JsonElement? Payload, string? SkipReason);
