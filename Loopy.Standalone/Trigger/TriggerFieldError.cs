namespace Loopy.Standalone.Trigger;

/// <summary>One reason a field was refused: the validator's code, the path of the value, and a message.</summary>
public sealed record TriggerFieldError(string Code, string Path, string Message);
