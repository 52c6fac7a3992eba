namespace Loopy.Runtime.Engine;

/// <summary>A successful attempt: the validated output (JSON text), the emits, the reply and usage.</summary>
public sealed record StepOutcome(string Output, IReadOnlyList<EmitDecision> Emits, string Reply, double? CostUsd, long? InputTokens, long? OutputTokens);
