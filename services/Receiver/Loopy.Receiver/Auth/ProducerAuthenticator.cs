using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Options;

namespace Loopy.Receiver.Auth;

/// <summary>
/// Authenticates the producer of a request: <c>Authorization: Bearer &lt;secret&gt;</c>, or a signed request
/// in the Standard Webhooks form (<c>webhook-id</c>, <c>webhook-timestamp</c>,
/// <c>webhook-signature: v1,&lt;base64 HMAC-SHA256 of id.timestamp.body&gt;</c>) within a timestamp tolerance.
/// Every comparison is constant-time; secrets never leave this class.
/// </summary>
public sealed class ProducerAuthenticator(IOptions<ReceiverOptions> options, TimeProvider time)
{
    public const string WebhookIdHeader = "webhook-id";
    public const string WebhookTimestampHeader = "webhook-timestamp";
    public const string WebhookSignatureHeader = "webhook-signature";

    public AuthenticationResult Authenticate(HttpRequest request, ReadOnlySpan<byte> body)
    {
        ArgumentNullException.ThrowIfNull(request);
        var producers = options.Value.Producers;

        var authorization = request.Headers.Authorization.ToString();
        if (authorization.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase))
        {
            var presented = Encoding.UTF8.GetBytes(authorization["Bearer ".Length..].Trim());
            ProducerOptions? match = null;
            foreach (var producer in producers)
            {
                // Every producer is compared, so the time taken does not tell which one matched.
                if (CryptographicOperations.FixedTimeEquals(presented, Encoding.UTF8.GetBytes(producer.Secret)) && producer.Secret.Length > 0)
                {
                    match = producer;
                }
            }

            return match is null
                ? AuthenticationResult.Fail(ReceiverErrorCodes.Unauthorized, "the bearer token is not valid")
                : AuthenticationResult.Success(match, webhookId: null);
        }

        var id = request.Headers[WebhookIdHeader].ToString();
        var timestamp = request.Headers[WebhookTimestampHeader].ToString();
        var signatures = request.Headers[WebhookSignatureHeader].ToString();
        if (id.Length == 0 || timestamp.Length == 0 || signatures.Length == 0)
        {
            return AuthenticationResult.Fail(ReceiverErrorCodes.Unauthorized, "missing credentials: send Authorization: Bearer, or the webhook-id, webhook-timestamp and webhook-signature headers");
        }

        if (!long.TryParse(timestamp, NumberStyles.None, CultureInfo.InvariantCulture, out var seconds))
        {
            return AuthenticationResult.Fail(ReceiverErrorCodes.Unauthorized, "webhook-timestamp is not a number of seconds");
        }

        var skew = Math.Abs(time.GetUtcNow().ToUnixTimeSeconds() - seconds);
        if (skew > options.Value.SignatureTolerance.TotalSeconds)
        {
            return AuthenticationResult.Fail(ReceiverErrorCodes.SignatureExpired, "webhook-timestamp is outside the allowed tolerance");
        }

        foreach (var producer in producers)
        {
            if (producer.Secret.Length > 0 && StandardWebhooks.Verify(producer.Secret, id, timestamp, body, signatures))
            {
                return AuthenticationResult.Success(producer, id);
            }
        }

        return AuthenticationResult.Fail(ReceiverErrorCodes.Unauthorized, "the webhook-signature does not match");
    }
}
