namespace Loopy.Receiver.Validation;

/// <summary>One reason an event was rejected: a stable code, the path of the offending value, and a message.</summary>
public sealed record FieldError(string Code, string Path, string Message);
