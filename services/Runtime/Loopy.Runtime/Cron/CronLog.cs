using Microsoft.Extensions.Logging;

namespace Loopy.Runtime.Cron;

/// <summary>The cron scheduler's log messages (event ids 100–119): ids, names and times only.</summary>
internal static partial class CronLog
{
    [LoggerMessage(EventId = 100, Level = LogLevel.Information, Message = "Cron scheduler serving {ScheduleCount} cron-triggered workflows (catch-up {CatchUp})")]
    public static partial void Started(ILogger logger, int scheduleCount, CronCatchUp catchUp);

    [LoggerMessage(EventId = 101, Level = LogLevel.Information, Message = "Cron tick {EventId} of {WorkflowName} started run {RunId} ({DelayMs} ms after its slot)")]
    public static partial void TickFired(ILogger logger, string runId, string workflowName, string eventId, long delayMs);

    [LoggerMessage(EventId = 102, Level = LogLevel.Debug, Message = "Cron tick {EventId} of {WorkflowName} was already fired by another replica")]
    public static partial void TickDuplicate(ILogger logger, string eventId, string workflowName);

    [LoggerMessage(EventId = 103, Level = LogLevel.Information, Message = "Cron schedule of {WorkflowName} missed {MissedCount} slots (counted up to 1000) while no replica fired it; firing {FiredCount} (catch-up {CatchUp})")]
    public static partial void CatchingUp(ILogger logger, string workflowName, int missedCount, int firedCount, CronCatchUp catchUp);

    [LoggerMessage(EventId = 104, Level = LogLevel.Error, Message = "Cron trigger of {WorkflowName} cannot be scheduled: {Error}")]
    public static partial void InvalidSchedule(ILogger logger, string workflowName, string error);

    [LoggerMessage(EventId = 106, Level = LogLevel.Warning, Message = "Firing the due cron slot of {WorkflowName} failed; the next pass retries: {Error}")]
    public static partial void FireFailed(ILogger logger, string workflowName, string error);

    [LoggerMessage(EventId = 105, Level = LogLevel.Error, Message = "The cron scheduler pass failed; it carries on: {Error}")]
    public static partial void PassFailed(ILogger logger, string error);
}
