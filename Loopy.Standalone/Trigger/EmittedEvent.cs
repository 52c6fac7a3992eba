namespace Loopy.Standalone.Trigger;

/// <summary>An event a step of a run emitted (history <c>event_emitted</c>).</summary>
public sealed record EmittedEvent(string Event, string EventId, string? StepId);
