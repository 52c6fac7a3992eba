using Microsoft.AspNetCore.Http;

namespace Loopy.SensorHost.Verification;

/// <summary>Sentry integration platform: <c>Sentry-Hook-Signature: &lt;hex HMAC-SHA256 of the body&gt;</c>.</summary>
public sealed class SentryVerifier(string secret) : IWebhookVerifier
{
    public const string Header = "Sentry-Hook-Signature";

    public string Scheme => "sentry";

    public VerificationResult Verify(IHeaderDictionary headers, ReadOnlySpan<byte> body, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(headers);
        var presented = headers[Header].ToString();
        if (presented.Length == 0)
        {
            return VerificationResult.Fail("the Sentry-Hook-Signature header is missing");
        }

        return Signatures.HexEquals(Signatures.HmacSha256(secret, body), presented)
            ? VerificationResult.Ok
            : VerificationResult.Fail("the Sentry signature does not match");
    }
}
