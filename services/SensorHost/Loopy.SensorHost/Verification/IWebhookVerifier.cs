using Microsoft.AspNetCore.Http;

namespace Loopy.SensorHost.Verification;

/// <summary>Checks one vendor's signature over the raw request body, before anything parses it.</summary>
public interface IWebhookVerifier
{
    /// <summary>The scheme name as a sensor's <c>verify.scheme</c> spells it.</summary>
    string Scheme { get; }

    /// <summary>Verifies <paramref name="body"/> against the request's headers at <paramref name="now"/>; compares in constant time.</summary>
    VerificationResult Verify(IHeaderDictionary headers, ReadOnlySpan<byte> body, DateTimeOffset now);
}
