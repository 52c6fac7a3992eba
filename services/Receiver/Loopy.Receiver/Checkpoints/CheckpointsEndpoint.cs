using System.Data.Common;
using System.Globalization;
using System.Text.Json;
using Loopy.Http;
using Loopy.Receiver.Auth;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.Logging;

namespace Loopy.Receiver.Checkpoints;

/// <summary>
/// The checkpoint API producers use for poll sensors (same authentication as <c>POST /events</c>), scoped to the
/// authenticated producer:
/// <list type="bullet">
/// <item><c>POST /sensors/{name}/ticks/claim</c> <c>{owner, lease_seconds, interval_seconds?}</c> → 200
/// <c>{tick_id, sensor, window_start (the watermark or null), scheduled_at, lease_until}</c>; 409
/// <c>tick_lease_held</c> (another owner's lease is unexpired) or <c>tick_not_due</c> (the last window ended less
/// than <c>interval_seconds</c> ago), each with <c>retry_after_ms</c>.</item>
/// <item><c>POST /sensors/{name}/ticks/{tick_id}/complete</c> <c>{watermark?}</c> → 200 <c>{sensor, watermark}</c>
/// (the watermark moves to the given time, default the tick's <c>scheduled_at</c>); 409 <c>tick_not_held</c> when the
/// tick is no longer the current one (fencing).</item>
/// <item><c>POST /sensors/{name}/ticks/{tick_id}/release</c> → 200, watermark kept; 409 <c>tick_not_held</c>.</item>
/// <item><c>GET /sensors/{name}/checkpoint</c> → 200 <c>{sensor, watermark, tick_id, lease_owner, lease_until}</c> or 404.</item>
/// </list>
/// 401 for bad credentials, 400 <c>invalid_checkpoint_request</c>, 503 with <c>Retry-After</c> when the database is down.
/// </summary>
public static class CheckpointsEndpoint
{
    private const long MaxBodyBytes = 16 * 1024;
    private const int MaxNameLength = 200;
    private static readonly TimeSpan MaxLease = TimeSpan.FromDays(1);
    private static readonly TimeSpan ClockSkew = TimeSpan.FromSeconds(5);

    public static Task<IResult> ClaimAsync(
        string name, HttpContext context, ProducerAuthenticator authenticator, CheckpointStore store, TimeProvider time, ILoggerFactory loggers, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(store);
        ArgumentNullException.ThrowIfNull(time);
        return HandleAsync(name, context, authenticator, loggers, async request =>
        {
            var owner = Text(request.Body, "owner");
            var leaseSeconds = Number(request.Body, "lease_seconds");
            var intervalSeconds = Number(request.Body, "interval_seconds");
            if (owner is not { Length: > 0 and <= MaxNameLength } || leaseSeconds is not > 0 || intervalSeconds is < 0
                || TimeSpan.FromSeconds(leaseSeconds.Value) > MaxLease)
            {
                return Problem(400, CheckpointErrorCodes.InvalidRequest, "the body must be {\"owner\": string, \"lease_seconds\": 1..86400, \"interval_seconds\"?: number >= 0}");
            }

            var now = time.GetUtcNow();
            var result = await store.ClaimAsync(
                request.Producer, name, owner, TimeSpan.FromSeconds(leaseSeconds.Value),
                intervalSeconds is { } i ? TimeSpan.FromSeconds(i) : null, now, cancellationToken);
            return result.Status switch
            {
                TickClaimStatus.Claimed => TypedResults.Json(new Dictionary<string, object?>
                {
                    ["tick_id"] = result.TickId,
                    ["sensor"] = name,
                    ["window_start"] = Format(result.WindowStart),
                    ["scheduled_at"] = Format(result.ScheduledAt),
                    ["lease_until"] = Format(result.LeaseUntil),
                }),
                TickClaimStatus.LeaseHeld => Problem(409, CheckpointErrorCodes.LeaseHeld, "another owner holds this sensor's tick lease",
                    new() { ["retry_after_ms"] = (long)Math.Ceiling(result.RetryAfter.TotalMilliseconds), ["lease_until"] = Format(result.LeaseUntil) }),
                _ => Problem(409, CheckpointErrorCodes.NotDue, "the sensor's last window ended less than an interval ago",
                    new() { ["retry_after_ms"] = (long)Math.Ceiling(result.RetryAfter.TotalMilliseconds), ["watermark"] = Format(result.WindowStart) }),
            };
        }, cancellationToken);
    }

    public static Task<IResult> CompleteAsync(
        string name, string tickId, HttpContext context, ProducerAuthenticator authenticator, CheckpointStore store, TimeProvider time, ILoggerFactory loggers, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(store);
        ArgumentNullException.ThrowIfNull(time);
        return HandleAsync(name, context, authenticator, loggers, async request =>
        {
            DateTimeOffset? watermark = null;
            if (Text(request.Body, "watermark") is { } text)
            {
                if (!DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var parsed)
                    || parsed > time.GetUtcNow() + ClockSkew)
                {
                    return Problem(400, CheckpointErrorCodes.InvalidRequest, "watermark must be an RFC 3339 time that is not in the future");
                }

                watermark = parsed;
            }

            if (!await store.CompleteAsync(request.Producer, name, tickId, watermark, time.GetUtcNow(), cancellationToken))
            {
                return Problem(409, CheckpointErrorCodes.NotHeld, "this tick is not the sensor's current tick (its lease was taken over or it ended)");
            }

            var state = await store.GetAsync(request.Producer, name, cancellationToken);
            return TypedResults.Json(new Dictionary<string, object?> { ["sensor"] = name, ["watermark"] = Format(state?.Watermark) });
        }, cancellationToken);
    }

    public static Task<IResult> ReleaseAsync(
        string name, string tickId, HttpContext context, ProducerAuthenticator authenticator, CheckpointStore store, TimeProvider time, ILoggerFactory loggers, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(store);
        ArgumentNullException.ThrowIfNull(time);
        return HandleAsync(name, context, authenticator, loggers, async request =>
        {
            if (!await store.ReleaseAsync(request.Producer, name, tickId, time.GetUtcNow(), cancellationToken))
            {
                return Problem(409, CheckpointErrorCodes.NotHeld, "this tick is not the sensor's current tick (its lease was taken over or it ended)");
            }

            var state = await store.GetAsync(request.Producer, name, cancellationToken);
            return TypedResults.Json(new Dictionary<string, object?> { ["sensor"] = name, ["watermark"] = Format(state?.Watermark) });
        }, cancellationToken);
    }

    public static Task<IResult> GetAsync(
        string name, HttpContext context, ProducerAuthenticator authenticator, CheckpointStore store, ILoggerFactory loggers, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(store);
        return HandleAsync(name, context, authenticator, loggers, async request =>
        {
            var state = await store.GetAsync(request.Producer, name, cancellationToken);
            return state is null
                ? Problem(404, CheckpointErrorCodes.NotFound, "this sensor has no checkpoint yet")
                : TypedResults.Json(new Dictionary<string, object?>
                {
                    ["sensor"] = name,
                    ["watermark"] = Format(state.Watermark),
                    ["tick_id"] = state.TickId,
                    ["lease_owner"] = state.LeaseOwner,
                    ["lease_until"] = Format(state.LeaseUntil),
                });
        }, cancellationToken);
    }

    /// <summary>
    /// The prelude every checkpoint endpoint shares: read the bounded body (413), authenticate the producer (401),
    /// check the sensor name and parse the JSON body (400), then run <paramref name="handler"/> for the
    /// authenticated producer, answering 503 with <c>Retry-After</c> when the database is down.
    /// </summary>
    private static async Task<IResult> HandleAsync(
        string name,
        HttpContext context,
        ProducerAuthenticator authenticator,
        ILoggerFactory loggers,
        Func<CheckpointRequest, Task<IResult>> handler,
        CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(name);
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(authenticator);
        ArgumentNullException.ThrowIfNull(loggers);
        var read = await BoundedBody.ReadAsync(context.Request, MaxBodyBytes, cancellationToken);
        if (read.Bytes is not { } bytes)
        {
            return Problem(413, ReceiverErrorCodes.PayloadTooLarge, $"the body is larger than {MaxBodyBytes} bytes");
        }

        var auth = authenticator.Authenticate(context.Request, bytes);
        if (!auth.Succeeded)
        {
            context.Response.Headers.WWWAuthenticate = "Bearer";
            return Problem(401, auth.ErrorCode!, auth.Error!);
        }

        if (name.Length is 0 or > MaxNameLength || name.Any(char.IsControl))
        {
            return Problem(400, CheckpointErrorCodes.InvalidRequest, "the sensor name is empty, too long or has control characters");
        }

        JsonElement body = default;
        if (bytes.Length > 0)
        {
            try
            {
                using var document = JsonDocument.Parse(bytes);
                body = document.RootElement.Clone();
            }
            catch (JsonException)
            {
                return Problem(400, ReceiverErrorCodes.MalformedJson, "the body is not valid JSON");
            }
        }

        try
        {
            return await handler(new CheckpointRequest(auth.Producer!.Name, body));
        }
        catch (Exception ex) when (ex is DbException or TimeoutException)
        {
            ReceiverLog.DependencyUnavailable(loggers.CreateLogger(typeof(CheckpointsEndpoint)), "state", ex.GetType().Name);
            context.Response.Headers.RetryAfter = "2";
            return Problem(503, ReceiverErrorCodes.Unavailable, "the checkpoint database is unavailable; retry later");
        }
    }

    private static ProblemHttpResult Problem(int status, string code, string detail, Dictionary<string, object?>? extra = null)
    {
        var extensions = new Dictionary<string, object?> { ["code"] = code };
        foreach (var (key, value) in extra ?? [])
        {
            extensions[key] = value;
        }

        return TypedResults.Problem(detail, statusCode: status, title: code.Replace('_', ' '), type: $"https://loopy.dev/errors/{code}", extensions: extensions);
    }

    private static string? Text(JsonElement body, string name) =>
        body.ValueKind == JsonValueKind.Object && body.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;

    private static double? Number(JsonElement body, string name) =>
        body.ValueKind == JsonValueKind.Object && body.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.Number ? value.GetDouble() : null;

    private static string? Format(DateTimeOffset? value) =>
        value?.ToUniversalTime().ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture);

    /// <summary>An authenticated checkpoint request: the producer's name and the parsed body (undefined when empty).</summary>
    private readonly record struct CheckpointRequest(string Producer, JsonElement Body);
}
