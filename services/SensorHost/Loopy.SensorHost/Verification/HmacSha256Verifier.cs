using Microsoft.AspNetCore.Http;

namespace Loopy.SensorHost.Verification;

/// <summary>
/// Generic HMAC-SHA256 over the raw body: the signature is read from <paramref name="header"/>, after an optional
/// <paramref name="prefix"/> (e.g. <c>sha256=</c>), encoded as <c>hex</c> (default) or <c>base64</c>.
/// </summary>
public sealed class HmacSha256Verifier(string secret, string header, string prefix, string encoding) : IWebhookVerifier
{
    public string Scheme => "hmac-sha256";

    public VerificationResult Verify(IHeaderDictionary headers, ReadOnlySpan<byte> body, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(headers);
        var presented = headers[header].ToString();
        if (presented.Length == 0)
        {
            return VerificationResult.Fail("the signature header is missing");
        }

        if (!presented.StartsWith(prefix, StringComparison.OrdinalIgnoreCase))
        {
            return VerificationResult.Fail("the signature header lacks its prefix");
        }

        var expected = Signatures.HmacSha256(secret, body);
        var value = presented[prefix.Length..];
        var matched = string.Equals(encoding, "base64", StringComparison.OrdinalIgnoreCase)
            ? Signatures.Base64Equals(expected, value)
            : Signatures.HexEquals(expected, value);
        return matched ? VerificationResult.Ok : VerificationResult.Fail("the signature does not match");
    }
}
