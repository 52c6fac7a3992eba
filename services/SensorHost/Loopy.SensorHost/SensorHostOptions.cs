namespace Loopy.SensorHost;

/// <summary>Configuration of the SensorHost (section <c>Loopy:SensorHost</c>); code defaults, overridable per deployment.</summary>
public sealed class SensorHostOptions
{
    public const string SectionName = "Loopy:SensorHost";

    /// <summary>Path of the compiled <c>manifest.json</c> whose sensors this host serves.</summary>
    public string ManifestPath { get; set; } = "manifest.json";

    /// <summary>The project root: exec sensors run here; <c>loopy.env</c> and <c>sensors/.env</c> are read from here.</summary>
    public string ProjectRoot { get; set; } = ".";

    /// <summary>Base address of the Receiver (<c>POST {ReceiverUrl}/events</c>).</summary>
    public string ReceiverUrl { get; set; } = "http://127.0.0.1:5080";

    /// <summary>The bearer secret the Receiver knows as this host's producer credential. Never logged.</summary>
    public string ProducerSecret { get; set; } = string.Empty;

    /// <summary>The name of this replica in tick leases; a fresh one per process when empty.</summary>
    public string InstanceId { get; set; } = string.Empty;

    /// <summary>
    /// Serve webhook paths whose verification secret is not configured, unverified, and only to requests that
    /// arrive on a loopback address (development only; a warning is logged). Otherwise start-up fails.
    /// </summary>
    public bool AllowUnverifiedOnLoopback { get; set; }

    /// <summary>Largest accepted webhook body; larger bodies are answered 413.</summary>
    public long MaxBodyBytes { get; set; } = 1024 * 1024;

    /// <summary>Attempts per event when the Receiver answers 429/503 or cannot be reached (the first included).</summary>
    public int DeliveryAttempts { get; set; } = 4;

    /// <summary>First backoff between delivery attempts; doubled each time, capped by <see cref="MaxRetryDelay"/>.</summary>
    public TimeSpan RetryBaseDelay { get; set; } = TimeSpan.FromMilliseconds(250);

    /// <summary>The longest wait between two delivery attempts (a longer Retry-After is capped to it).</summary>
    public TimeSpan MaxRetryDelay { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>Time limit of one HTTP call to the Receiver.</summary>
    public TimeSpan ReceiverTimeout { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>Retry-After sent to a vendor when the Receiver is unavailable.</summary>
    public TimeSpan VendorRetryAfter { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>How long a poll tick lease lasts beyond the sensor's timeout (a crashed replica's tick is re-run after it).</summary>
    public TimeSpan PollLeaseSlack { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>
    /// On shutdown a poll tick under way may finish until <c>HostOptions.ShutdownTimeout</c> (<c>shutdownTimeoutSeconds</c>)
    /// less this time; then it is cancelled and its lease released, within this time.
    /// </summary>
    public TimeSpan ShutdownReleaseTime { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>How long a replica waits before asking again when the checkpoint API is unreachable.</summary>
    public TimeSpan PollRetryDelay { get; set; } = TimeSpan.FromSeconds(2);
}
