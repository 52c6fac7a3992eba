using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.Json.Nodes;
using Loopy.SensorHost.Mapping;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Loopy.SensorHost.Delivery;

/// <summary>
/// Posts candidate events to the Receiver's <c>POST /events</c> with this host's producer credential. On 429,
/// 5xx, a timeout or no connection it retries with exponential backoff (honouring <c>Retry-After</c>, capped),
/// a bounded number of times, always with the same event id, so the Receiver dedupes a retry of an event it had
/// in fact accepted.
/// </summary>
public sealed class ReceiverClient(HttpClient http, IOptions<SensorHostOptions> options, TimeProvider time, ILogger<ReceiverClient> logger)
{
    public async Task<DeliveryResult> DeliverAsync(CandidateEvent candidate, string eventId, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(candidate);
        ArgumentNullException.ThrowIfNull(eventId);
        var settings = options.Value;
        var body = new JsonObject
        {
            ["id"] = eventId,
            ["name"] = candidate.Name,
            ["fields"] = candidate.Fields.DeepClone(),
        };
        var attempts = Math.Max(1, settings.DeliveryAttempts);
        DeliveryResult? last = null;
        for (var attempt = 1; attempt <= attempts; attempt++)
        {
            last = await SendOnceAsync(body, eventId, cancellationToken);
            if (last.Outcome != DeliveryOutcome.Unavailable)
            {
                return last;
            }

            if (attempt == attempts)
            {
                break;
            }

            var backoff = settings.RetryBaseDelay * Math.Pow(2, attempt - 1);
            var wait = last.RetryAfter is { } retryAfter && retryAfter > backoff ? retryAfter : backoff;
            if (wait > settings.MaxRetryDelay)
            {
                wait = settings.MaxRetryDelay;
            }

            SensorHostLog.DeliveryRetrying(logger, eventId, candidate.Name, last.Status, attempt, wait.TotalMilliseconds);
            await Task.Delay(wait, time, cancellationToken);
        }

        return last!;
    }

    private async Task<DeliveryResult> SendOnceAsync(JsonObject body, string eventId, CancellationToken cancellationToken)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(options.Value.ReceiverTimeout);
        try
        {
            using var content = JsonContent.Create(body);
            using var response = await http.PostAsync(new Uri("events", UriKind.Relative), content, timeout.Token);
            var status = (int)response.StatusCode;
            if (response.StatusCode is HttpStatusCode.Accepted or HttpStatusCode.OK)
            {
                return new DeliveryResult(DeliveryOutcome.Accepted, eventId, status);
            }

            var (code, detail) = await ReadProblemAsync(response, timeout.Token);
            if (response.StatusCode == HttpStatusCode.TooManyRequests || status >= 500)
            {
                return new DeliveryResult(DeliveryOutcome.Unavailable, eventId, status, code, detail, RetryAfter(response));
            }

            return new DeliveryResult(DeliveryOutcome.Rejected, eventId, status, code, detail);
        }
        catch (HttpRequestException)
        {
            return new DeliveryResult(DeliveryOutcome.Unavailable, eventId, 0, "receiver_unreachable", "the Receiver could not be reached");
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            return new DeliveryResult(DeliveryOutcome.Unavailable, eventId, 0, "receiver_timeout", "the Receiver did not answer in time");
        }
    }

    private static async Task<(string? Code, string? Detail)> ReadProblemAsync(HttpResponseMessage response, CancellationToken cancellationToken)
    {
        try
        {
            var problem = await response.Content.ReadFromJsonAsync<JsonElement>(cancellationToken);
            if (problem.ValueKind != JsonValueKind.Object)
            {
                return (null, null);
            }

            var code = problem.TryGetProperty("code", out var c) && c.ValueKind == JsonValueKind.String ? c.GetString() : null;
            var detail = problem.TryGetProperty("detail", out var d) && d.ValueKind == JsonValueKind.String ? d.GetString() : null;
            return (code, detail);
        }
        catch (Exception ex) when (ex is JsonException or NotSupportedException or HttpRequestException)
        {
            return (null, null);
        }
    }

    private TimeSpan? RetryAfter(HttpResponseMessage response)
    {
        if (response.Headers.RetryAfter is not { } retryAfter)
        {
            return null;
        }

        if (retryAfter.Delta is { } delta)
        {
            return delta;
        }

        return retryAfter.Date is { } date ? date - time.GetUtcNow() : null;
    }

    /// <summary>Formats a <c>Retry-After</c> value in whole seconds (at least 1).</summary>
    public static string RetryAfterSeconds(TimeSpan wait) =>
        Math.Max(1, (int)Math.Ceiling(wait.TotalSeconds)).ToString(CultureInfo.InvariantCulture);
}
