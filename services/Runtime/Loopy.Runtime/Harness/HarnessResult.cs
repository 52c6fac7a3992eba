namespace Loopy.Runtime.Harness;

/// <summary>The agent's final message and its usage, when reported.</summary>
public sealed record HarnessResult(string Reply, double? CostUsd, long? InputTokens, long? OutputTokens);
