using System.Text.Json.Nodes;

namespace Loopy.Standalone.Trigger;

/// <summary>One step of a triggered run: its local name, <c>&lt;workflow&gt;/&lt;step&gt;</c> id, state, attempts, output and error.</summary>
public sealed record TriggeredStep(string Name, string StepId, string Status, int Attempts, JsonNode? Output, string? Error, double? CostUsd);
