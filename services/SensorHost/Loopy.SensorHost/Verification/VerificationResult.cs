namespace Loopy.SensorHost.Verification;

/// <summary>The outcome of a signature check; <see cref="Reason"/> is a fixed text that never contains a secret or header value.</summary>
public sealed record VerificationResult(bool Succeeded, string? Reason)
{
    public static VerificationResult Ok { get; } = new(true, null);

    public static VerificationResult Fail(string reason) => new(false, reason);
}
