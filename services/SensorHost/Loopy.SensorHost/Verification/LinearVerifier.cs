using System.Text.Json;
using Microsoft.AspNetCore.Http;

namespace Loopy.SensorHost.Verification;

/// <summary>
/// Linear: <c>Linear-Signature: &lt;hex HMAC-SHA256 of the body&gt;</c>; once the signature holds, the body's
/// <c>webhookTimestamp</c> (Unix milliseconds), when present, must be within <paramref name="tolerance"/> of now
/// (Linear recommends a minute), so a captured delivery cannot be replayed later.
/// </summary>
public sealed class LinearVerifier(string secret, TimeSpan tolerance) : IWebhookVerifier
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

        if (!Signatures.HexEquals(Signatures.HmacSha256(secret, body), presented))
        {
            return VerificationResult.Fail("the Linear signature does not match");
        }

        return TimestampWithinTolerance(body, now)
            ? VerificationResult.Ok
            : VerificationResult.Fail("the Linear webhookTimestamp is outside the tolerance");
    }

    private bool TimestampWithinTolerance(ReadOnlySpan<byte> body, DateTimeOffset now)
    {
        try
        {
            var reader = new Utf8JsonReader(body);
            using var document = JsonDocument.ParseValue(ref reader);
            if (document.RootElement.ValueKind != JsonValueKind.Object
                || !document.RootElement.TryGetProperty("webhookTimestamp", out var timestamp)
                || !timestamp.TryGetInt64(out var milliseconds))
            {
                return true;
            }

            return Math.Abs(now.ToUnixTimeMilliseconds() - milliseconds) <= tolerance.TotalMilliseconds;
        }
        catch (JsonException)
        {
            // Not JSON: the parser after verification answers 400.
            return true;
        }
    }
}
