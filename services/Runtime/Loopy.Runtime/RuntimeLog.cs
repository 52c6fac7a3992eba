using Microsoft.Extensions.Logging;

namespace Loopy.Runtime;

/// <summary>The Runtime's log messages: ids and names only, never prompts, replies or payloads.</summary>
internal static partial class RuntimeLog
{
    [LoggerMessage(EventId = 1, Level = LogLevel.Information, Message = "Runtime {ReplicaId} serving manifest {ManifestHash} ({WorkflowCount} event-triggered workflows)")]
    public static partial void Started(ILogger logger, string replicaId, string manifestHash, int workflowCount);

    [LoggerMessage(EventId = 2, Level = LogLevel.Information, Message = "Run {RunId} of {WorkflowName} started by event {EventId}")]
    public static partial void RunStarted(ILogger logger, string runId, string workflowName, string eventId);

    [LoggerMessage(EventId = 3, Level = LogLevel.Debug, Message = "Event {EventId} already started a run of {WorkflowName}")]
    public static partial void DuplicateEvent(ILogger logger, string eventId, string workflowName);

    [LoggerMessage(EventId = 4, Level = LogLevel.Information, Message = "Step {StepId} of run {RunId} attempt {Attempt} started")]
    public static partial void StepStarted(ILogger logger, string runId, string stepId, int attempt);

    [LoggerMessage(EventId = 5, Level = LogLevel.Information, Message = "Step {StepId} of run {RunId} completed (attempt {Attempt})")]
    public static partial void StepCompleted(ILogger logger, string runId, string stepId, int attempt);

    [LoggerMessage(EventId = 6, Level = LogLevel.Warning, Message = "Step {StepId} of run {RunId} attempt {Attempt} failed (terminal: {Terminal}): {Error}")]
    public static partial void StepFailed(ILogger logger, string runId, string stepId, int attempt, bool terminal, string error);

    [LoggerMessage(EventId = 7, Level = LogLevel.Warning, Message = "Step {StepId} of run {RunId}: lease lost, the result of attempt {Attempt} is discarded")]
    public static partial void LeaseLost(ILogger logger, string runId, string stepId, int attempt);

    [LoggerMessage(EventId = 8, Level = LogLevel.Information, Message = "Run {RunId} finished: {Status}")]
    public static partial void RunFinished(ILogger logger, string runId, string status);

    [LoggerMessage(EventId = 9, Level = LogLevel.Warning, Message = "Publishing emitted event {EventId} failed; the relay retries: {Error}")]
    public static partial void RelayFailed(ILogger logger, string eventId, string error);

    [LoggerMessage(EventId = 10, Level = LogLevel.Error, Message = "The step worker loop failed; it carries on: {Error}")]
    public static partial void WorkerLoopFailed(ILogger logger, string error);

    [LoggerMessage(EventId = 11, Level = LogLevel.Error, Message = "Step {StepId} of run {RunId} could not be recorded: {Error}")]
    public static partial void StepRecordFailed(ILogger logger, string runId, string stepId, string error);

    [LoggerMessage(EventId = 90, Level = LogLevel.Information, Message = "Switched to manifest {ManifestHash} ({WorkflowCount} event-triggered workflows); runs already started keep their version")]
    public static partial void ManifestSwitched(ILogger logger, string manifestHash, int workflowCount);

    [LoggerMessage(EventId = 92, Level = LogLevel.Warning, Message = "Workflow {WorkflowName} of manifest {ManifestHash} cannot run on this replica; its runs fail at start: {Problems}")]
    public static partial void WorkflowPreflightFailed(ILogger logger, string workflowName, string manifestHash, string problems);

    [LoggerMessage(EventId = 91, Level = LogLevel.Warning, Message = "The manifest source could not be read ({ErrorType}: {Error}); the current version keeps serving")]
    public static partial void ManifestRefreshFailed(ILogger logger, string errorType, string error);

    [LoggerMessage(EventId = 12, Level = LogLevel.Information, Message = "Shutting down: claiming no more steps; {StepCount} running steps may finish within {DrainSeconds:0.#} s")]
    public static partial void Draining(ILogger logger, int stepCount, double drainSeconds);

    [LoggerMessage(EventId = 13, Level = LogLevel.Warning, Message = "Shutting down: the drain period is over; releasing the leases of {StepCount} running steps")]
    public static partial void ReleasingSteps(ILogger logger, int stepCount);
}
