using Loopy.SensorHost.Verification;

namespace Loopy.SensorHost.Sensors;

/// <summary>
/// A webhook path and every sensor on it (a fan-out). <see cref="Verifier"/> is null only for a path explicitly
/// allowed to run unverified, which is then served to loopback requests only.
/// </summary>
public sealed record WebhookRoute(string Path, IReadOnlyList<WebhookSensor> Sensors, IWebhookVerifier? Verifier)
{
    /// <summary>Exec sensors read the raw text, so a path served only by them accepts a body that is not JSON.</summary>
    public bool AcceptsNonJson => Sensors.All(s => s.IsExec);
}
