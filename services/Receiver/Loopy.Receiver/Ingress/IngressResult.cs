using Loopy.Receiver.Validation;

namespace Loopy.Receiver.Ingress;

/// <summary>The outcome of one event: its HTTP status, and either the acceptance or the reasons for refusal.</summary>
public sealed record IngressResult(int Status, string? EventId, DateTimeOffset? AcceptedAt, string? Code, string? Detail, IReadOnlyList<FieldError> Errors)
{
    public static IngressResult Accepted(string id, DateTimeOffset acceptedAt) => new(202, id, acceptedAt, null, null, []);

    public static IngressResult Duplicate(string id, DateTimeOffset acceptedAt) => new(200, id, acceptedAt, null, null, []);

    public static IngressResult Refused(int status, string code, string detail, IReadOnlyList<FieldError>? errors = null, string? id = null) =>
        new(status, id, null, code, detail, errors ?? []);

    public bool IsSuccess => Status is 200 or 202;
}
