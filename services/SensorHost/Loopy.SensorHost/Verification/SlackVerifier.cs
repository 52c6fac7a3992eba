using Microsoft.AspNetCore.Http;

namespace Loopy.SensorHost.Verification;

/// <summary>
/// Slack: <c>X-Slack-Signature: v0=&lt;hex HMAC-SHA256 of "v0:{timestamp}:{body}"&gt;</c> keyed by the signing secret,
/// with <c>X-Slack-Request-Timestamp</c> within the tolerance.
/// </summary>
public sealed class SlackVerifier(string secret, TimeSpan tolerance) : IWebhookVerifier
{
    public const string SignatureHeader = "X-Slack-Signature";
    public const string TimestampHeader = "X-Slack-Request-Timestamp";

    public string Scheme => "slack";

    public VerificationResult Verify(IHeaderDictionary headers, ReadOnlySpan<byte> body, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(headers);
        var signature = headers[SignatureHeader].ToString();
        var timestamp = headers[TimestampHeader].ToString();
        if (signature.Length == 0 || timestamp.Length == 0)
        {
            return VerificationResult.Fail("the X-Slack-Signature or X-Slack-Request-Timestamp header is missing");
        }

        if (!Signatures.WithinTolerance(timestamp, now, tolerance))
        {
            return VerificationResult.Fail("the Slack request timestamp is outside the tolerance");
        }

        if (!signature.StartsWith("v0=", StringComparison.Ordinal))
        {
            return VerificationResult.Fail("X-Slack-Signature must start with v0=");
        }

        var expected = Signatures.HmacSha256(secret, Signatures.Concat($"v0:{timestamp}:", body));
        return Signatures.HexEquals(expected, signature[3..])
            ? VerificationResult.Ok
            : VerificationResult.Fail("the Slack signature does not match");
    }
}
