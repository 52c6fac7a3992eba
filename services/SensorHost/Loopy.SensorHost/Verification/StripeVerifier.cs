using Microsoft.AspNetCore.Http;

namespace Loopy.SensorHost.Verification;

/// <summary>
/// Stripe: <c>Stripe-Signature: t=&lt;unix seconds&gt;,v1=&lt;hex&gt;[,v1=…]</c>, each <c>v1</c> a hex HMAC-SHA256 of
/// <c>{t}.{body}</c> keyed by the endpoint secret (the whole <c>whsec_…</c> text); <c>t</c> within the tolerance.
/// </summary>
public sealed class StripeVerifier(string secret, TimeSpan tolerance) : IWebhookVerifier
{
    public const string Header = "Stripe-Signature";

    public string Scheme => "stripe";

    public VerificationResult Verify(IHeaderDictionary headers, ReadOnlySpan<byte> body, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(headers);
        var presented = headers[Header].ToString();
        string? timestamp = null;
        var signatures = new List<string>();
        foreach (var part in presented.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            var equals = part.IndexOf('=', StringComparison.Ordinal);
            if (equals <= 0)
            {
                continue;
            }

            var key = part[..equals];
            if (key == "t")
            {
                timestamp = part[(equals + 1)..];
            }
            else if (key == "v1")
            {
                signatures.Add(part[(equals + 1)..]);
            }
        }

        if (timestamp is null || signatures.Count == 0)
        {
            return VerificationResult.Fail("the Stripe-Signature header is missing or has no t= and v1=");
        }

        if (!Signatures.WithinTolerance(timestamp, now, tolerance))
        {
            return VerificationResult.Fail("the Stripe signature timestamp is outside the tolerance");
        }

        var expected = Signatures.HmacSha256(secret, Signatures.Concat(timestamp + ".", body));
        var matched = false;
        foreach (var signature in signatures)
        {
            matched |= Signatures.HexEquals(expected, signature);
        }

        return matched ? VerificationResult.Ok : VerificationResult.Fail("the Stripe signature does not match");
    }
}
