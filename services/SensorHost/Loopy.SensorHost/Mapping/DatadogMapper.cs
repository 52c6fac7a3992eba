using System.Text.Json;
using System.Text.Json.Nodes;

namespace Loopy.SensorHost.Mapping;

/// <summary>
/// The built-in Datadog events (AUTHORING.md §4.5). Datadog sends whatever JSON its webhook integration is
/// configured with; Loopy documents one fixed body (docs/sensorhost.md) whose keys are the event's fields:
/// <c>{"monitor_id": "$ALERT_ID", "title": "$EVENT_TITLE", "body": "$EVENT_MSG", "alert_type": "$ALERT_TYPE",
/// "priority": "$ALERT_PRIORITY", "metric": "$ALERT_METRIC", "scope": "$ALERT_SCOPE", "host": "$HOSTNAME",
/// "transition": "$ALERT_TRANSITION", "url": "$LINK"}</c>. Recognised when <c>monitor_id</c> and <c>transition</c>
/// are present; <c>transition</c> <c>Recovered</c> is a recovery, anything else an alert.
/// </summary>
public sealed class DatadogMapper(string eventName) : IWebhookMapper
{
    public static IReadOnlyList<string> Events { get; } = ["Datadog.MonitorAlerted", "Datadog.MonitorRecovered"];

    private static readonly string[] AlertedFields = ["monitor_id", "title", "body", "alert_type", "priority", "metric", "scope", "host", "transition", "url"];
    private static readonly string[] RecoveredFields = ["monitor_id", "title", "scope", "host", "url"];

    public Task<IReadOnlyList<CandidateEvent>> MapAsync(WebhookDelivery delivery, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(delivery);
        return Task.FromResult(Map(delivery.Body));
    }

    public IReadOnlyList<CandidateEvent> Map(JsonElement? body)
    {
        var transition = Json.Text(body, "transition");
        if (transition is null || !Json.Has(body, "monitor_id"))
        {
            return [];
        }

        var recovered = string.Equals(transition, "Recovered", StringComparison.Ordinal);
        string[]? names = (eventName, recovered) switch
        {
            ("Datadog.MonitorAlerted", false) => AlertedFields,
            ("Datadog.MonitorRecovered", true) => RecoveredFields,
            _ => null,
        };
        if (names is null)
        {
            return [];
        }

        var fields = new JsonObject();
        foreach (var name in names)
        {
            Json.Set(fields, name, Json.Text(body, name));
        }

        return [new CandidateEvent(eventName, fields)];
    }
}
