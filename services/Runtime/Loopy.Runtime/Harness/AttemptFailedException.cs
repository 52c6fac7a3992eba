namespace Loopy.Runtime.Harness;

/// <summary>An attempt failed: <see cref="Terminal"/> failures are not retried (AUTHORING.md §8.5).</summary>
public sealed class AttemptFailedException : Exception
{
    public AttemptFailedException()
    {
    }

    public AttemptFailedException(string message)
        : base(message)
    {
    }

    public AttemptFailedException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    public AttemptFailedException(string message, bool terminal)
        : base(message) => Terminal = terminal;

    public bool Terminal { get; }

    /// <summary>What the attempt spent before it failed (it counts against the step's budget), when known.</summary>
    public double? CostUsd { get; init; }
}
