namespace Loopy.SensorHost.Webhooks;

/// <summary>The stable <c>code</c> of every ProblemDetails a webhook route answers (the Receiver's own code is passed through on 422).</summary>
public static class WebhookErrorCodes
{
    public const string InvalidSignature = "invalid_signature";
    public const string UnverifiedNotLoopback = "unverified_path_loopback_only";
    public const string MalformedJson = "malformed_json";
    public const string PayloadTooLarge = "payload_too_large";
    public const string SensorFailed = "sensor_failed";
    public const string ReceiverUnavailable = "receiver_unavailable";
    public const string ReceiverRefusedProducer = "receiver_refused_producer";
}
