using Microsoft.AspNetCore.Http;

namespace Loopy.SensorHost.Verification;

/// <summary>Linear: <c>Linear-Signature: &lt;hex HMAC-SHA256 of the body&gt;</c>.</summary>
public sealed class LinearVerifier(string secret) : IWebhookVerifier
{
    public const string Header = "Linear-Signature";

    public string Scheme => "linear";

    public VerificationResult Verify(IHeaderDictionary headers, ReadOnlySpan<byte> body, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(headers);
        var presented = headers[Header].ToString();
        if (presented.Length == 0)
        {
            return VerificationResult.Fail("the Linear-Signature header is missing");
        }

        return Signatures.HexEquals(Signatures.HmacSha256(secret, body), presented)
            ? VerificationResult.Ok
            : VerificationResult.Fail("the Linear signature does not match");
    }
}
