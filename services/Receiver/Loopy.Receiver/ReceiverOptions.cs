namespace Loopy.Receiver;

/// <summary>Configuration of the Receiver (section <c>Loopy:Receiver</c>); code defaults, overridable per deployment.</summary>
public sealed class ReceiverOptions
{
    public const string SectionName = "Loopy:Receiver";

    /// <summary>Path of the compiled <c>manifest.json</c> whose contracts every event is validated against.</summary>
    public string ManifestPath { get; set; } = "manifest.json";

    /// <summary>Largest accepted request body; larger bodies are answered 413.</summary>
    public long MaxBodyBytes { get; set; } = 1024 * 1024;

    /// <summary>Most events in one batch (a JSON array body).</summary>
    public int MaxBatchSize { get; set; } = 100;

    /// <summary>Allowed clock skew of a Standard Webhooks <c>webhook-timestamp</c>, either way.</summary>
    public TimeSpan SignatureTolerance { get; set; } = TimeSpan.FromSeconds(300);

    /// <summary>Requests per second each producer may make (token bucket); 0 disables the limit.</summary>
    public int RateLimitPerSecond { get; set; } = 500;

    /// <summary>Burst size of the per-producer token bucket.</summary>
    public int RateLimitBurst { get; set; } = 1000;

    /// <summary>How long a dependency (bus, database) may take before the request is answered 503.</summary>
    public TimeSpan DependencyTimeout { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>The producers allowed to post, by name. Secrets come from configuration or the environment.</summary>
    public IList<ProducerOptions> Producers { get; } = [];
}
