using System.Diagnostics;
using System.Net;
using System.Text;
using System.Text.Json;
using Loopy.Http;
using Loopy.SensorHost.Delivery;
using Loopy.SensorHost.Exec;
using Loopy.SensorHost.Mapping;
using Loopy.SensorHost.Sensors;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Loopy.SensorHost.Webhooks;

/// <summary>
/// One webhook path (AUTHORING.md §4.6): verify the raw bytes (401), then parse (400), run every sensor on the
/// path (an exec failure → 502), send every event to the Receiver, and answer 202 <c>{"emitted", "ids"}</c>,
/// 200 with empty lists when no sensor recognised the delivery, 422 with the Receiver's code when it rejected an
/// event, or 503 with <c>Retry-After</c> when it is unavailable, so the vendor retries (with the same event ids).
/// </summary>
public static class WebhookEndpoint
{
    public static async Task<IResult> HandleAsync(
        WebhookRoute route,
        HttpContext context,
        ReceiverClient receiver,
        SensorHostTelemetry telemetry,
        IOptions<SensorHostOptions> options,
        TimeProvider time,
        ILogger logger,
        CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(route);
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(receiver);
        ArgumentNullException.ThrowIfNull(telemetry);
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(time);
        ArgumentNullException.ThrowIfNull(logger);
        var settings = options.Value;
        using var activity = SensorHostTelemetry.ActivitySource.StartActivity("sensorhost.webhook", ActivityKind.Internal);
        activity?.SetTag("loopy.webhook.path", route.Path);

        IResult Refuse(int status, string code, string detail, TimeSpan? retryAfter = null)
        {
            SensorHostLog.WebhookRefused(logger, route.Path, status, code);
            telemetry.RecordWebhook(route.Path, status);
            activity?.SetStatus(ActivityStatusCode.Error, code);
            if (retryAfter is { } wait)
            {
                context.Response.Headers.RetryAfter = ReceiverClient.RetryAfterSeconds(wait);
            }

            return TypedResults.Problem(detail, statusCode: status, title: code.Replace('_', ' '), extensions: new Dictionary<string, object?> { ["code"] = code });
        }

        var read = await BoundedBody.ReadAsync(context.Request, settings.MaxBodyBytes, cancellationToken);
        if (read.Bytes is not { } body)
        {
            return Refuse(413, WebhookErrorCodes.PayloadTooLarge, $"the body is larger than {settings.MaxBodyBytes} bytes");
        }

        if (route.Verifier is { } verifier)
        {
            var verification = verifier.Verify(context.Request.Headers, body, time.GetUtcNow());
            if (!verification.Succeeded)
            {
                SensorHostLog.SignatureRejected(logger, route.Path, verifier.Scheme, verification.Reason!);
                return Refuse(401, WebhookErrorCodes.InvalidSignature, "the request signature is missing or does not verify");
            }
        }
        else if (!IsLoopback(context.Connection.LocalIpAddress))
        {
            return Refuse(403, WebhookErrorCodes.UnverifiedNotLoopback, "this path has no verification secret and is served on loopback only");
        }

        if (!System.Text.Unicode.Utf8.IsValid(body))
        {
            return Refuse(400, WebhookErrorCodes.MalformedJson, "the body is not valid UTF-8");
        }

        JsonDocument? document = null;
        if (body.Length > 0)
        {
            try
            {
                document = JsonDocument.Parse(body, new JsonDocumentOptions { MaxDepth = 64 });
            }
            catch (JsonException) when (route.AcceptsNonJson)
            {
                document = null;
            }
            catch (JsonException)
            {
                return Refuse(400, WebhookErrorCodes.MalformedJson, "the body is not valid JSON");
            }
        }

        using (document)
        {
            var headers = context.Request.Headers.ToDictionary(h => h.Key.ToLowerInvariant(), h => h.Value.ToString(), StringComparer.Ordinal);
            var delivery = new WebhookDelivery(route.Path, headers, Encoding.UTF8.GetString(body), document?.RootElement);
            var deliveryKey = EventIds.DeliveryKey(delivery);

            var produced = new List<(string Id, CandidateEvent Event, string Sensor)>();
            foreach (var sensor in route.Sensors)
            {
                IReadOnlyList<CandidateEvent> events;
                try
                {
                    events = await sensor.Mapper.MapAsync(delivery, cancellationToken);
                }
                catch (SensorFailedException ex)
                {
                    SensorHostLog.SensorFailed(logger, sensor.Name, ex.Message);
                    return Refuse(502, WebhookErrorCodes.SensorFailed, $"sensor '{sensor.Name}' failed; nothing was emitted");
                }

                for (var i = 0; i < events.Count; i++)
                {
                    produced.Add((EventIds.ForWebhook(sensor.Name, deliveryKey, i, events[i]), events[i], sensor.Name));
                }
            }

            var ids = new List<string>();
            var names = new List<string>();
            DeliveryResult? rejected = null;
            foreach (var (id, candidate, sensorName) in produced)
            {
                var result = await receiver.DeliverAsync(candidate, id, cancellationToken);
                telemetry.RecordEvent(candidate.Name, result.Outcome.ToString());
                switch (result.Outcome)
                {
                    case DeliveryOutcome.Accepted:
                        SensorHostLog.EventDelivered(logger, id, candidate.Name, sensorName);
                        ids.Add(id);
                        names.Add(candidate.Name);
                        break;
                    case DeliveryOutcome.Unavailable:
                        SensorHostLog.ReceiverUnavailable(logger, candidate.Name, result.Status);
                        return Refuse(503, WebhookErrorCodes.ReceiverUnavailable, "the Receiver is unavailable; retry later", settings.VendorRetryAfter);
                    default:
                        SensorHostLog.EventRejected(logger, id, candidate.Name, result.Status, result.Code ?? "(none)");
                        rejected ??= result;
                        break;
                }
            }

            if (rejected is not null)
            {
                if (rejected.Status is 401)
                {
                    return Refuse(502, WebhookErrorCodes.ReceiverRefusedProducer, "the Receiver refused this SensorHost's producer credential");
                }

                return Refuse(422, rejected.Code ?? "rejected", rejected.Detail ?? "the Receiver rejected an event");
            }

            var answer = new Dictionary<string, object> { ["emitted"] = names, ["ids"] = ids };
            telemetry.RecordWebhook(route.Path, ids.Count > 0 ? 202 : 200);
            return ids.Count > 0 ? TypedResults.Json(answer, statusCode: 202) : TypedResults.Json(answer, statusCode: 200);
        }
    }

    private static bool IsLoopback(IPAddress? address) =>
        address is not null && IPAddress.IsLoopback(address.IsIPv4MappedToIPv6 ? address.MapToIPv4() : address);
}
