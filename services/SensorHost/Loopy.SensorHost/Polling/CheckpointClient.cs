using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.Extensions.Options;

namespace Loopy.SensorHost.Polling;

/// <summary>
/// The Receiver's checkpoint API for poll sensors, with this host's producer credential:
/// <c>POST /sensors/{name}/ticks/claim</c>, <c>…/ticks/{id}/complete</c>, <c>…/ticks/{id}/release</c>.
/// </summary>
public sealed class CheckpointClient(HttpClient http, IOptions<SensorHostOptions> options)
{
    public async Task<TickClaim> ClaimAsync(string sensor, string owner, TimeSpan lease, TimeSpan interval, CancellationToken cancellationToken)
    {
        var body = new JsonObject
        {
            ["owner"] = owner,
            ["lease_seconds"] = Math.Max(1, (int)Math.Ceiling(lease.TotalSeconds)),
            ["interval_seconds"] = Math.Max(1, (long)interval.TotalSeconds),
        };
        try
        {
            using var response = await PostAsync($"sensors/{Uri.EscapeDataString(sensor)}/ticks/claim", body, cancellationToken);
            var json = await ReadAsync(response, cancellationToken);
            if (response.StatusCode == HttpStatusCode.OK)
            {
                return new TickClaim(
                    TickClaimOutcome.Claimed,
                    Text(json, "tick_id") ?? throw new HttpRequestException("the claim answer has no tick_id"),
                    Time(json, "window_start"),
                    Time(json, "scheduled_at") ?? throw new HttpRequestException("the claim answer has no scheduled_at"));
            }

            var retryAfter = TimeSpan.FromMilliseconds(Number(json, "retry_after_ms") ?? options.Value.PollRetryDelay.TotalMilliseconds);
            return response.StatusCode == HttpStatusCode.Conflict
                ? new TickClaim(Text(json, "code") == "tick_not_due" ? TickClaimOutcome.NotDue : TickClaimOutcome.Held, RetryAfter: retryAfter)
                : new TickClaim(TickClaimOutcome.Unavailable, RetryAfter: options.Value.PollRetryDelay);
        }
        catch (Exception ex) when (ex is HttpRequestException or JsonException || (ex is OperationCanceledException && !cancellationToken.IsCancellationRequested))
        {
            return new TickClaim(TickClaimOutcome.Unavailable, RetryAfter: options.Value.PollRetryDelay);
        }
    }

    /// <summary>Moves the watermark to <paramref name="watermark"/>; false when this replica no longer holds the tick or the call failed.</summary>
    public async Task<bool> CompleteAsync(string sensor, string tickId, DateTimeOffset watermark, CancellationToken cancellationToken) =>
        await FinishAsync($"sensors/{Uri.EscapeDataString(sensor)}/ticks/{Uri.EscapeDataString(tickId)}/complete", new JsonObject { ["watermark"] = Format(watermark) }, cancellationToken);

    /// <summary>Gives the tick up, keeping the watermark; false when the call failed (the lease then expires by itself).</summary>
    public async Task<bool> ReleaseAsync(string sensor, string tickId, CancellationToken cancellationToken) =>
        await FinishAsync($"sensors/{Uri.EscapeDataString(sensor)}/ticks/{Uri.EscapeDataString(tickId)}/release", new JsonObject(), cancellationToken);

    /// <summary>RFC 3339 UTC with milliseconds, as the exec protocol and the checkpoint API write times.</summary>
    public static string Format(DateTimeOffset value) =>
        value.ToUniversalTime().ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture);

    private async Task<bool> FinishAsync(string path, JsonObject body, CancellationToken cancellationToken)
    {
        try
        {
            using var response = await PostAsync(path, body, cancellationToken);
            return response.StatusCode == HttpStatusCode.OK;
        }
        catch (Exception ex) when (ex is HttpRequestException || (ex is OperationCanceledException && !cancellationToken.IsCancellationRequested))
        {
            return false;
        }
    }

    private async Task<HttpResponseMessage> PostAsync(string path, JsonObject body, CancellationToken cancellationToken)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(options.Value.ReceiverTimeout);
        using var content = JsonContent.Create(body);
        return await http.PostAsync(new Uri(path, UriKind.Relative), content, timeout.Token);
    }

    private static async Task<JsonElement> ReadAsync(HttpResponseMessage response, CancellationToken cancellationToken)
    {
        var text = await response.Content.ReadAsStringAsync(cancellationToken);
        return text.Length == 0 ? default : JsonDocument.Parse(text).RootElement.Clone();
    }

    private static string? Text(JsonElement json, string name) =>
        json.ValueKind == JsonValueKind.Object && json.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;

    private static double? Number(JsonElement json, string name) =>
        json.ValueKind == JsonValueKind.Object && json.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.Number ? value.GetDouble() : null;

    private static DateTimeOffset? Time(JsonElement json, string name) =>
        Text(json, name) is { } text && DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var value) ? value : null;
}
