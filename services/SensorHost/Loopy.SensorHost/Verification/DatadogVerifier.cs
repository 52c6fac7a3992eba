using Microsoft.AspNetCore.Http;

namespace Loopy.SensorHost.Verification;

/// <summary>Datadog (AUTHORING.md §4.5, decision): the header <c>X-Loopy-Webhook-Secret</c> equals the shared secret.</summary>
public sealed class DatadogVerifier(string secret) : IWebhookVerifier
{
    public const string Header = "X-Loopy-Webhook-Secret";

    public string Scheme => "datadog";

    public VerificationResult Verify(IHeaderDictionary headers, ReadOnlySpan<byte> body, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(headers);
        var presented = headers[Header].ToString();
        if (presented.Length == 0)
        {
            return VerificationResult.Fail("the X-Loopy-Webhook-Secret header is missing");
        }

        return Signatures.TextEquals(secret, presented)
            ? VerificationResult.Ok
            : VerificationResult.Fail("the Datadog shared secret does not match");
    }
}
