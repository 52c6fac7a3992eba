using System.Text;
using Microsoft.AspNetCore.Http;

namespace Loopy.SensorHost.Verification;

/// <summary>
/// Standard Webhooks: <c>webhook-signature: v1,&lt;base64 HMAC-SHA256 of "{webhook-id}.{webhook-timestamp}.{body}"&gt;</c>
/// (several, space-separated), keyed by the secret (<c>whsec_</c> + base64, or the raw text), with
/// <c>webhook-timestamp</c> within the tolerance.
/// </summary>
public sealed class StandardWebhooksVerifier : IWebhookVerifier
{
    public const string IdHeader = "webhook-id";
    public const string TimestampHeader = "webhook-timestamp";
    public const string SignatureHeader = "webhook-signature";

    private readonly byte[] _key;
    private readonly TimeSpan _tolerance;

    public StandardWebhooksVerifier(string secret, TimeSpan tolerance)
    {
        ArgumentNullException.ThrowIfNull(secret);
        _key = secret.StartsWith("whsec_", StringComparison.Ordinal)
            ? Convert.FromBase64String(secret["whsec_".Length..])
            : Encoding.UTF8.GetBytes(secret);
        _tolerance = tolerance;
    }

    public string Scheme => "standard-webhooks";

    public VerificationResult Verify(IHeaderDictionary headers, ReadOnlySpan<byte> body, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(headers);
        var id = headers[IdHeader].ToString();
        var timestamp = headers[TimestampHeader].ToString();
        var signatures = headers[SignatureHeader].ToString();
        if (id.Length == 0 || timestamp.Length == 0 || signatures.Length == 0)
        {
            return VerificationResult.Fail("the webhook-id, webhook-timestamp or webhook-signature header is missing");
        }

        if (!Signatures.WithinTolerance(timestamp, now, _tolerance))
        {
            return VerificationResult.Fail("webhook-timestamp is outside the tolerance");
        }

        var expected = Signatures.HmacSha256(_key, Signatures.Concat($"{id}.{timestamp}.", body));
        var matched = false;
        foreach (var candidate in signatures.Split(' ', StringSplitOptions.RemoveEmptyEntries))
        {
            if (candidate.StartsWith("v1,", StringComparison.Ordinal))
            {
                matched |= Signatures.Base64Equals(expected, candidate[3..]);
            }
        }

        return matched ? VerificationResult.Ok : VerificationResult.Fail("the webhook-signature does not match");
    }
}
