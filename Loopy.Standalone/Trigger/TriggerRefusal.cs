namespace Loopy.Standalone.Trigger;

/// <summary>Why the gate refused the event: the Receiver's status, stable code, detail and per-field reasons.</summary>
public sealed record TriggerRefusal(int Status, string Code, string Detail, IReadOnlyList<TriggerFieldError> Errors);
