using Microsoft.Extensions.Logging;

namespace Loopy.Runtime.Sandbox;

/// <summary>The sandbox's log messages: ids, hosts and reasons only, never headers or payloads.</summary>
internal static partial class EgressLog
{
    [LoggerMessage(EventId = 301, Level = LogLevel.Information, Message = "Egress of step {StepId} in run {RunId} to {Host}:{Port} allowed ({Reason}) via {Address}")]
    public static partial void Allowed(ILogger logger, string runId, string stepId, string host, int port, string reason, System.Net.IPAddress address);

    [LoggerMessage(EventId = 302, Level = LogLevel.Warning, Message = "Egress of step {StepId} in run {RunId} to {Host}:{Port} denied: {Reason}")]
    public static partial void Denied(ILogger logger, string runId, string stepId, string host, int port, string reason);

    [LoggerMessage(EventId = 303, Level = LogLevel.Warning, Message = "Egress of step {StepId} in run {RunId}: request refused: {Reason}")]
    public static partial void Malformed(ILogger logger, string runId, string stepId, string reason);

    [LoggerMessage(EventId = 304, Level = LogLevel.Warning, Message = "Egress of step {StepId} in run {RunId} to {Host}:{Port} allowed but the connection failed")]
    public static partial void UpstreamFailed(ILogger logger, string runId, string stepId, string host, int port, Exception? exception);

    [LoggerMessage(EventId = 305, Level = LogLevel.Debug, Message = "Egress proxy of step {StepId} in run {RunId}: connection ended")]
    public static partial void ConnectionEnded(ILogger logger, string runId, string stepId, Exception exception);

    [LoggerMessage(EventId = 306, Level = LogLevel.Warning, Message = "Sandbox of step {StepId} in run {RunId}: cleanup failed: {Error}")]
    public static partial void CleanupFailed(ILogger logger, string runId, string stepId, string error);
}
