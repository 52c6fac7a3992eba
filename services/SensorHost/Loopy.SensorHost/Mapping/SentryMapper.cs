using System.Text.Json;
using System.Text.Json.Nodes;

namespace Loopy.SensorHost.Mapping;

/// <summary>
/// The built-in Sentry events (AUTHORING.md §4.5), recognised by the <c>Sentry-Hook-Resource</c> header and
/// <c>action</c>; fields from Sentry's documented issue (<c>data.issue</c>) and event-alert (<c>data.event</c>) payloads.
/// </summary>
public sealed class SentryMapper(string eventName) : IWebhookMapper
{
    public const string ResourceHeader = "Sentry-Hook-Resource";

    public static IReadOnlyList<string> Events { get; } = ["Sentry.IssueCreated", "Sentry.IssueResolved", "Sentry.AlertTriggered"];

    public Task<IReadOnlyList<CandidateEvent>> MapAsync(WebhookDelivery delivery, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(delivery);
        return Task.FromResult(Map(delivery.Header(ResourceHeader), delivery.Body));
    }

    public IReadOnlyList<CandidateEvent> Map(string? resource, JsonElement? body)
    {
        var action = Json.Text(body, "action");
        JsonObject? fields = (eventName, resource, action) switch
        {
            ("Sentry.IssueCreated", "issue", "created") => Issue(body, full: true),
            ("Sentry.IssueResolved", "issue", "resolved") => Issue(body, full: false),
            ("Sentry.AlertTriggered", "event_alert", "triggered") => Alert(body),
            _ => null,
        };
        return fields is null ? [] : [new CandidateEvent(eventName, fields)];
    }

    private static JsonObject Issue(JsonElement? body, bool full)
    {
        var issue = Json.Get(body, "data", "issue");
        var fields = new JsonObject();
        Json.Set(fields, "issue_id", Json.Text(issue, "id"));
        Json.Set(fields, "title", Json.Text(issue, "title"));
        if (full)
        {
            Json.Set(fields, "culprit", Json.Text(issue, "culprit") ?? string.Empty);
            Json.Set(fields, "level", Json.Text(issue, "level"));
        }

        Json.Set(fields, "project", Json.Text(issue, "project", "slug") ?? Json.Text(issue, "project", "name"));
        Json.Set(fields, "url", Json.Text(issue, "web_url"));
        return fields;
    }

    private static JsonObject Alert(JsonElement? body)
    {
        var alertEvent = Json.Get(body, "data", "event");
        var fields = new JsonObject();
        Json.Set(fields, "issue_id", Json.Text(alertEvent, "issue_id"));
        Json.Set(fields, "title", Json.Text(alertEvent, "title"));
        Json.Set(fields, "culprit", Json.Text(alertEvent, "culprit") ?? string.Empty);
        Json.Set(fields, "level", Json.Text(alertEvent, "level"));
        Json.Set(fields, "rule", Json.Text(body, "data", "triggered_rule"));
        Json.Set(fields, "url", Json.Text(alertEvent, "web_url"));
        return fields;
    }
}
