using Microsoft.Extensions.Logging;

namespace Loopy.SensorHost;

/// <summary>The SensorHost's log messages: sensor names, paths, event ids and codes only, never payloads, headers or secrets.</summary>
internal static partial class SensorHostLog
{
    [LoggerMessage(EventId = 1, Level = LogLevel.Information, Message = "Webhook {Path} refused: {Status} {Code}")]
    public static partial void WebhookRefused(ILogger logger, string path, int status, string code);

    [LoggerMessage(EventId = 2, Level = LogLevel.Warning, Message = "Webhook {Path} has no verification secret ({SecretName}); it is served UNVERIFIED, to loopback requests only")]
    public static partial void UnverifiedPath(ILogger logger, string path, string secretName);

    [LoggerMessage(EventId = 3, Level = LogLevel.Warning, Message = "Webhook {Path}: {Scheme} signature rejected: {Reason}")]
    public static partial void SignatureRejected(ILogger logger, string path, string scheme, string reason);

    [LoggerMessage(EventId = 4, Level = LogLevel.Warning, Message = "Sensor {SensorName} failed: {Reason}")]
    public static partial void SensorFailed(ILogger logger, string sensorName, string reason);

    [LoggerMessage(EventId = 5, Level = LogLevel.Information, Message = "Event {EventId} ({EventType}) from sensor {SensorName} accepted by the Receiver")]
    public static partial void EventDelivered(ILogger logger, string eventId, string eventType, string sensorName);

    [LoggerMessage(EventId = 6, Level = LogLevel.Warning, Message = "Event {EventId} ({EventType}) rejected by the Receiver: {Status} {Code}")]
    public static partial void EventRejected(ILogger logger, string eventId, string eventType, int status, string code);

    [LoggerMessage(EventId = 7, Level = LogLevel.Warning, Message = "The Receiver is unavailable ({Status}) for a {EventType}")]
    public static partial void ReceiverUnavailable(ILogger logger, string eventType, int status);

    [LoggerMessage(EventId = 8, Level = LogLevel.Information, Message = "Event {EventId} ({EventType}): Receiver answered {Status} on attempt {Attempt}; retrying in {DelayMs} ms")]
    public static partial void DeliveryRetrying(ILogger logger, string eventId, string eventType, int status, int attempt, double delayMs);

    [LoggerMessage(EventId = 9, Level = LogLevel.Warning, Message = "Sensor {SensorName} is not served: {Reason}")]
    public static partial void SensorNotServed(ILogger logger, string sensorName, string reason);

    [LoggerMessage(EventId = 10, Level = LogLevel.Information, Message = "Poll sensor {SensorName}: tick completed with {Count} events; watermark advanced")]
    public static partial void PollTickCompleted(ILogger logger, string sensorName, int count);

    [LoggerMessage(EventId = 11, Level = LogLevel.Warning, Message = "Poll sensor {SensorName}: tick released, watermark kept ({Reason})")]
    public static partial void PollTickReleased(ILogger logger, string sensorName, string reason);

    [LoggerMessage(EventId = 12, Level = LogLevel.Warning, Message = "Poll sensor {SensorName}: the tick could not be completed (lease lost or Receiver unavailable); its window will be re-scanned")]
    public static partial void PollTickNotCompleted(ILogger logger, string sensorName);

    [LoggerMessage(EventId = 13, Level = LogLevel.Warning, Message = "Poll sensor {SensorName}: the checkpoint API is unavailable")]
    public static partial void CheckpointUnavailable(ILogger logger, string sensorName);

    [LoggerMessage(EventId = 14, Level = LogLevel.Error, Message = "Poll sensor {SensorName}: tick failed")]
    public static partial void PollTickFailed(ILogger logger, string sensorName, Exception exception);

    [LoggerMessage(EventId = 15, Level = LogLevel.Information, Message = "Serving webhook {Path} ({Count} sensors, {Scheme})")]
    public static partial void ServingWebhook(ILogger logger, string path, int count, string scheme);
}
