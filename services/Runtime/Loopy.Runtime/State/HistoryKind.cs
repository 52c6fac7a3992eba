namespace Loopy.Runtime.State;

/// <summary>The kinds of history entries (AUTHORING.md §8.7), plus <c>run_cancelled</c> and <c>run_rerun</c>.</summary>
public static class HistoryKind
{
    public const string RunStarted = "run_started";
    public const string StepScheduled = "step_scheduled";
    public const string StepStarted = "step_started";
    public const string StepRetrying = "step_retrying";
    public const string StepCompleted = "step_completed";
    public const string StepFailed = "step_failed";
    public const string StepSkipped = "step_skipped";
    public const string EventEmitted = "event_emitted";
    public const string EmitSkipped = "emit_skipped";
    public const string RunCompleted = "run_completed";
    public const string RunFailed = "run_failed";
    public const string RunCancelled = "run_cancelled";
    public const string RunRerun = "run_rerun";
}
