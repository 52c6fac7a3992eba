namespace Loopy.Standalone.Trigger;

/// <summary>One run of the cascade: which event started it, how it ended, its steps in the order they started, and its emits.</summary>
public sealed record TriggeredRun(
    string RunId,
    string Workflow,
    string EventName,
    string EventId,
    int ChainDepth,
    string Status,
    string? Error,
    string? FailedStep,
    IReadOnlyList<TriggeredStep> Steps,
    IReadOnlyList<EmittedEvent> Emitted)
{
    public bool Succeeded => Status == "completed";
}
