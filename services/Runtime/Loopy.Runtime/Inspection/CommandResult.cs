namespace Loopy.Runtime.Inspection;

/// <summary>The outcome of an operator command: done, no such run, or refused with a reason.</summary>
public sealed record CommandResult(bool Found, string? ConflictReason)
{
    public static CommandResult Ok { get; } = new(true, null);

    public static CommandResult NotFound { get; } = new(false, null);

    public static CommandResult Conflict(string reason) => new(true, reason);
}
