using System.Diagnostics;
using System.Text.Json;
using System.Threading.RateLimiting;
using Loopy.Http;
using Loopy.Receiver.Auth;
using Loopy.Receiver.Dedupe;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Loopy.Receiver.Ingress;

/// <summary>
/// <c>POST /events</c>: one event (a JSON object) or a batch (a JSON array), answered 202/200 per
/// event, or ProblemDetails with a stable <c>code</c>. The wire format is in docs/receiver-wire-format.md.
/// </summary>
public static class EventsEndpoint
{
    public static async Task<IResult> HandleAsync(
        HttpContext context,
        ProducerAuthenticator authenticator,
        EventIngress ingress,
        IngressStore store,
        ProducerRateLimiter rateLimiter,
        ReceiverTelemetry telemetry,
        IOptions<ReceiverOptions> options,
        TimeProvider time,
        ILoggerFactory loggers,
        CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(authenticator);
        ArgumentNullException.ThrowIfNull(ingress);
        ArgumentNullException.ThrowIfNull(store);
        ArgumentNullException.ThrowIfNull(rateLimiter);
        ArgumentNullException.ThrowIfNull(telemetry);
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(time);
        ArgumentNullException.ThrowIfNull(loggers);
        using var activity = ReceiverTelemetry.ActivitySource.StartActivity("receiver.events", ActivityKind.Internal);
        var logger = loggers.CreateLogger(typeof(EventsEndpoint));
        var settings = options.Value;

        IResult Refuse(int status, string code, string detail, TimeSpan? retryAfter = null)
        {
            telemetry.RecordRejection(code);
            ReceiverLog.RequestRefused(logger, status, code);
            activity?.SetStatus(ActivityStatusCode.Error, code);
            return Problem(context, status, code, detail, [], retryAfter);
        }

        if (!IsJson(context.Request.ContentType))
        {
            return Refuse(415, ReceiverErrorCodes.UnsupportedMediaType, "the body must be application/json");
        }

        var read = await BoundedBody.ReadAsync(context.Request, settings.MaxBodyBytes, cancellationToken);
        if (read.Bytes is not { } body)
        {
            return Refuse(413, ReceiverErrorCodes.PayloadTooLarge, $"the body is larger than {settings.MaxBodyBytes} bytes");
        }

        var auth = authenticator.Authenticate(context.Request, body);
        if (!auth.Succeeded)
        {
            context.Response.Headers.WWWAuthenticate = "Bearer";
            return Refuse(401, auth.ErrorCode!, auth.Error!);
        }

        var producer = auth.Producer!;
        activity?.SetTag("loopy.producer", producer.Name);
        using var lease = rateLimiter.Acquire(producer.Name);
        if (!lease.IsAcquired)
        {
            var retryAfter = lease.TryGetMetadata(MetadataName.RetryAfter, out var wait) ? wait : TimeSpan.FromSeconds(1);
            return Refuse(429, ReceiverErrorCodes.RateLimited, $"producer '{producer.Name}' exceeded its rate limit", retryAfter);
        }

        try
        {
            if (auth.WebhookId is { } webhookId && await store.WebhookIdSeenAsync(producer.Name, webhookId, cancellationToken))
            {
                return Refuse(409, ReceiverErrorCodes.WebhookIdReplayed, "this webhook-id was already delivered and accepted");
            }
        }
        catch (System.Data.Common.DbException)
        {
            return Refuse(503, ReceiverErrorCodes.Unavailable, "the ingress database is unavailable; retry later", RetryAfter);
        }

        if (!System.Text.Unicode.Utf8.IsValid(body))
        {
            return Refuse(400, ReceiverErrorCodes.MalformedJson, "the body is not valid UTF-8");
        }

        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(body, new JsonDocumentOptions { MaxDepth = 64 });
        }
        catch (JsonException)
        {
            return Refuse(400, ReceiverErrorCodes.MalformedJson, "the body is not valid JSON");
        }

        using (document)
        {
            IResult result;
            if (document.RootElement.ValueKind == JsonValueKind.Array)
            {
                var count = document.RootElement.GetArrayLength();
                if (count == 0 || count > settings.MaxBatchSize)
                {
                    return Refuse(400, ReceiverErrorCodes.BatchTooLarge, $"a batch holds 1 to {settings.MaxBatchSize} events; this one holds {count}");
                }

                var results = new List<object>(count);
                var index = 0;
                foreach (var element in document.RootElement.EnumerateArray())
                {
                    var item = await AcceptOneAsync(element, producer, ingress, telemetry, cancellationToken);
                    results.Add(BatchItem(index++, item));
                }

                result = TypedResults.Json(new Dictionary<string, object> { ["results"] = results }, statusCode: 207);
            }
            else
            {
                var item = await AcceptOneAsync(document.RootElement, producer, ingress, telemetry, cancellationToken);
                result = item.IsSuccess
                    ? TypedResults.Json(Acceptance(item), statusCode: item.Status)
                    : Problem(context, item.Status, item.Code!, item.Detail!, item.Errors, item.Status == 503 ? RetryAfter : null);
            }

            if (auth.WebhookId is { } id)
            {
                try
                {
                    await store.TryRecordWebhookIdAsync(producer.Name, id, time.GetUtcNow(), cancellationToken);
                }
                catch (System.Data.Common.DbException)
                {
                    // The events themselves are recorded; a replay of this delivery is still deduplicated by event id.
                }
            }

            return result;
        }
    }

    private static readonly TimeSpan RetryAfter = TimeSpan.FromSeconds(2);

    private static async Task<IngressResult> AcceptOneAsync(
        JsonElement element, ProducerOptions producer, EventIngress ingress, ReceiverTelemetry telemetry, CancellationToken cancellationToken)
    {
        var envelope = EventEnvelope.TryRead(element, out var error);
        if (envelope is null)
        {
            telemetry.RecordRejection(ReceiverErrorCodes.InvalidEnvelope);
            return IngressResult.Refused(400, ReceiverErrorCodes.InvalidEnvelope, error!);
        }

        return await ingress.AcceptAsync(envelope, producer, cancellationToken);
    }

    private static Dictionary<string, object?> Acceptance(IngressResult item) => new()
    {
        ["id"] = item.EventId,
        ["status"] = "accepted",
        ["accepted_at"] = item.AcceptedAt,
        ["duplicate"] = item.Status == 200,
    };

    private static Dictionary<string, object?> BatchItem(int index, IngressResult item)
    {
        var entry = item.IsSuccess ? Acceptance(item) : new Dictionary<string, object?>
        {
            ["status"] = "rejected",
            ["code"] = item.Code,
            ["detail"] = item.Detail,
            ["errors"] = item.Errors.Select(ToJson).ToList(),
        };
        entry["index"] = index;
        entry["http_status"] = item.Status;
        return entry;
    }

    private static Dictionary<string, string> ToJson(Validation.FieldError e) =>
        new() { ["code"] = e.Code, ["path"] = e.Path, ["message"] = e.Message };

    private static Microsoft.AspNetCore.Http.HttpResults.ProblemHttpResult Problem(
        HttpContext context, int status, string code, string detail, IReadOnlyList<Validation.FieldError> errors, TimeSpan? retryAfter)
    {
        if (retryAfter is { } wait)
        {
            context.Response.Headers.RetryAfter = Math.Max(1, (int)Math.Ceiling(wait.TotalSeconds)).ToString(System.Globalization.CultureInfo.InvariantCulture);
        }

        var extensions = new Dictionary<string, object?> { ["code"] = code };
        if (errors.Count > 0)
        {
            extensions["errors"] = errors.Select(ToJson).ToList();
        }

        return TypedResults.Problem(detail, statusCode: status, title: code.Replace('_', ' '), type: $"https://loopy.dev/errors/{code}", extensions: extensions);
    }

    private static bool IsJson(string? contentType)
    {
        if (string.IsNullOrWhiteSpace(contentType))
        {
            return false;
        }

        var mediaType = contentType.Split(';')[0].Trim();
        return mediaType.Equals("application/json", StringComparison.OrdinalIgnoreCase)
            || (mediaType.StartsWith("application/", StringComparison.OrdinalIgnoreCase) && mediaType.EndsWith("+json", StringComparison.OrdinalIgnoreCase));
    }
}
