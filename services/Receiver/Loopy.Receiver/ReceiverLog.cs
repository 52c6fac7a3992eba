using Microsoft.Extensions.Logging;

namespace Loopy.Receiver;

/// <summary>The Receiver's log messages: ids and names only, never payloads, headers or secrets.</summary>
internal static partial class ReceiverLog
{
    [LoggerMessage(EventId = 1, Level = LogLevel.Information, Message = "Accepted event {EventId} ({EventType}) from {Producer}")]
    public static partial void EventAccepted(ILogger logger, string eventId, string eventType, string producer);

    [LoggerMessage(EventId = 2, Level = LogLevel.Information, Message = "Rejected {EventType} from {Producer}: {Status} {Code}")]
    public static partial void EventRejected(ILogger logger, string eventType, string producer, int status, string code);

    [LoggerMessage(EventId = 3, Level = LogLevel.Warning, Message = "Dependency {Dependency} unavailable ({Error}); answering 503")]
    public static partial void DependencyUnavailable(ILogger logger, string dependency, string error);

    [LoggerMessage(EventId = 4, Level = LogLevel.Warning, Message = "Manifest unavailable: {Reason}")]
    public static partial void ManifestUnavailable(ILogger logger, string reason);

    [LoggerMessage(EventId = 5, Level = LogLevel.Information, Message = "Refused a request: {Status} {Code}")]
    public static partial void RequestRefused(ILogger logger, int status, string code);
}
