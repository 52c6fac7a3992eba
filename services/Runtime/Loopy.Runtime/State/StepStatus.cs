namespace Loopy.Runtime.State;

/// <summary>The states of a step: waiting for its <c>after:</c> steps, ready (from its next attempt time), running under a lease, or terminal.</summary>
public static class StepStatus
{
    public const string Waiting = "waiting";
    public const string Ready = "ready";
    public const string Running = "running";
    public const string Completed = "completed";
    public const string Failed = "failed";
    public const string Skipped = "skipped";
    public const string Cancelled = "cancelled";
}
