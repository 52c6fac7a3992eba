using Microsoft.Extensions.Logging;

namespace Loopy.Bus;

/// <summary>Source-generated log messages of the bus. Ids and names only, never payloads.</summary>
internal static partial class BusLog
{
    [LoggerMessage(1, LogLevel.Information, "Bus transport {Transport} selected")]
    public static partial void TransportSelected(ILogger logger, string transport);

    [LoggerMessage(2, LogLevel.Information, "Workflow {WorkflowName} subscribed to {EventTypeCount} event type(s) on {Transport}")]
    public static partial void Subscribed(ILogger logger, string workflowName, int eventTypeCount, string transport);

    [LoggerMessage(3, LogLevel.Warning, "Handler of workflow {WorkflowName} failed for {EventType} {EventId} (attempt {Attempt})")]
    public static partial void HandlerFailed(ILogger logger, Exception exception, string workflowName, string eventType, string eventId, int attempt);

    [LoggerMessage(4, LogLevel.Error, "Dead-lettered {EventType} {EventId} for workflow {WorkflowName} after {Attempt} attempt(s)")]
    public static partial void DeadLettered(ILogger logger, string workflowName, string eventType, string eventId, int attempt);

    [LoggerMessage(5, LogLevel.Warning, "Publishing {EventType} {EventId} was not confirmed")]
    public static partial void PublishFailed(ILogger logger, Exception exception, string eventType, string eventId);

    [LoggerMessage(6, LogLevel.Warning, "Consumer of workflow {WorkflowName} failed to read; retrying")]
    public static partial void ConsumerReadFailed(ILogger logger, Exception exception, string workflowName);

    [LoggerMessage(7, LogLevel.Information, "Consumer of workflow {WorkflowName} claimed {Count} idle pending entr(ies)")]
    public static partial void Claimed(ILogger logger, string workflowName, int count);

    [LoggerMessage(8, LogLevel.Warning, "Trimming stream {StreamName} failed")]
    public static partial void TrimFailed(ILogger logger, Exception exception, string streamName);
}
