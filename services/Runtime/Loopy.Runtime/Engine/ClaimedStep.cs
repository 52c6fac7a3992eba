namespace Loopy.Runtime.Engine;

/// <summary>A step this replica holds a lease on: (owner, <see cref="Version"/>) is its fencing token.</summary>
public sealed record ClaimedStep(string Id, string RunId, string Name, string StepId, int Attempt, long Version);
