using System.Text.Json;
using System.Text.Json.Nodes;
using Loopy.SensorHost.Mapping;

namespace Loopy.SensorHost.Exec;

/// <summary>A webhook sensor whose <c>exec</c> program maps the delivery: stdin <c>{"kind": "webhook", "path", "headers", "body", "raw"}</c>.</summary>
public sealed class ExecWebhookMapper(ExecSpec spec, ExecRunner runner) : IWebhookMapper
{
    public Task<IReadOnlyList<CandidateEvent>> MapAsync(WebhookDelivery delivery, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(delivery);
        var headers = new JsonObject();
        foreach (var (name, value) in delivery.Headers)
        {
            headers[name] = value;
        }

        var input = new JsonObject
        {
            ["kind"] = "webhook",
            ["path"] = delivery.Path,
            ["headers"] = headers,
            ["body"] = delivery.Body is { } body ? JsonNode.Parse(body.GetRawText()) : null,
            ["raw"] = delivery.Raw,
        };
        return runner.RunAsync(spec, input.ToJsonString(new JsonSerializerOptions { WriteIndented = false }), cancellationToken);
    }
}
