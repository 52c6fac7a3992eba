using Microsoft.AspNetCore.Http;

namespace Loopy.SensorHost.Verification;

/// <summary>GitHub: <c>X-Hub-Signature-256: sha256=&lt;hex HMAC-SHA256 of the body&gt;</c>. The SHA-1 <c>X-Hub-Signature</c> is refused.</summary>
public sealed class GitHubVerifier(string secret) : IWebhookVerifier
{
    public const string Header = "X-Hub-Signature-256";
    private const string Prefix = "sha256=";

    public string Scheme => "github";

    public VerificationResult Verify(IHeaderDictionary headers, ReadOnlySpan<byte> body, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(headers);
        var presented = headers[Header].ToString();
        if (presented.Length == 0)
        {
            return VerificationResult.Fail(headers.ContainsKey("X-Hub-Signature")
                ? "only a SHA-1 X-Hub-Signature was sent; SHA-1 signatures are refused"
                : "the X-Hub-Signature-256 header is missing");
        }

        if (!presented.StartsWith(Prefix, StringComparison.OrdinalIgnoreCase))
        {
            return VerificationResult.Fail("X-Hub-Signature-256 must start with sha256=");
        }

        return Signatures.HexEquals(Signatures.HmacSha256(secret, body), presented[Prefix.Length..])
            ? VerificationResult.Ok
            : VerificationResult.Fail("the GitHub signature does not match");
    }
}
