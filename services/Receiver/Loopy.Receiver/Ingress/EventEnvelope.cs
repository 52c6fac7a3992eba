using System.Text.Json;

namespace Loopy.Receiver.Ingress;

/// <summary>
/// One event as producers post it: <c>{"id"?, "name", "fields", "occurred_at"?}</c>.
/// </summary>
public sealed record EventEnvelope(string? Id, string Name, JsonElement Fields, DateTimeOffset? OccurredAt)
{
    public const int MaxIdLength = 200;

    /// <summary>Reads an envelope from a JSON value; returns the reason when it is not one.</summary>
    public static EventEnvelope? TryRead(JsonElement element, out string? error)
    {
        error = null;
        if (element.ValueKind != JsonValueKind.Object)
        {
            error = "an event must be a JSON object {\"name\", \"fields\", \"id\"?, \"occurred_at\"?}";
            return null;
        }

        string? id = null;
        if (element.TryGetProperty("id", out var idElement) && idElement.ValueKind != JsonValueKind.Null)
        {
            if (idElement.ValueKind != JsonValueKind.String || idElement.GetString() is not { Length: > 0 and <= MaxIdLength } value
                || value.Any(char.IsControl))
            {
                error = $"id must be a non-empty string of at most {MaxIdLength} printable characters";
                return null;
            }

            id = value;
        }

        if (!element.TryGetProperty("name", out var nameElement) || nameElement.ValueKind != JsonValueKind.String
            || nameElement.GetString() is not { Length: > 0 } name)
        {
            error = "name is required and must be a string";
            return null;
        }

        if (!element.TryGetProperty("fields", out var fields) || fields.ValueKind != JsonValueKind.Object)
        {
            error = "fields is required and must be a JSON object";
            return null;
        }

        DateTimeOffset? occurredAt = null;
        if (element.TryGetProperty("occurred_at", out var occurred) && occurred.ValueKind != JsonValueKind.Null)
        {
            if (occurred.ValueKind != JsonValueKind.String || !occurred.TryGetDateTimeOffset(out var parsed))
            {
                error = "occurred_at must be an RFC 3339 timestamp";
                return null;
            }

            occurredAt = parsed;
        }

        return new EventEnvelope(id, name, fields.Clone(), occurredAt);
    }
}
