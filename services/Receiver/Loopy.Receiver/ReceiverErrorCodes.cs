namespace Loopy.Receiver;

/// <summary>
/// The stable, machine-readable <c>code</c> of every ProblemDetails the Receiver answers. Never renamed;
/// documented in <c>docs/receiver-wire-format.md</c>.
/// </summary>
public static class ReceiverErrorCodes
{
    public const string Unauthorized = "unauthorized";
    public const string SignatureExpired = "signature_timestamp_out_of_range";
    public const string WebhookIdReplayed = "webhook_id_replayed";
    public const string ForbiddenEvent = "event_not_allowed_for_producer";
    public const string MalformedJson = "malformed_json";
    public const string InvalidEnvelope = "invalid_envelope";
    public const string UnknownEvent = "unknown_event";
    public const string MissingField = "missing_field";
    public const string WrongType = "wrong_type";
    public const string NotInEnum = "not_in_enum";
    public const string InvalidFormat = "invalid_format";
    public const string InvalidField = "invalid_field";
    public const string EventIdConflict = "event_id_conflict";
    public const string BatchTooLarge = "batch_too_large";
    public const string PayloadTooLarge = "payload_too_large";
    public const string UnsupportedMediaType = "unsupported_media_type";
    public const string RateLimited = "rate_limited";
    public const string Unavailable = "dependency_unavailable";
}
