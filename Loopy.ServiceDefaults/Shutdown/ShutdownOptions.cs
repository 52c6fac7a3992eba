namespace Loopy.ServiceDefaults.Shutdown;

/// <summary>
/// Graceful shutdown (section <c>Loopy:Shutdown</c>). The whole shutdown is bounded by the host's
/// <c>HostOptions.ShutdownTimeout</c> (setting <c>shutdownTimeoutSeconds</c>, default 30 s); this only adds the
/// wait before the host stops listening.
/// </summary>
public sealed class ShutdownOptions
{
    public const string SectionName = "Loopy:Shutdown";

    /// <summary>
    /// How long the host keeps serving after a shutdown signal while <c>/health</c> already answers 503, so a load
    /// balancer that probes readiness (Kubernetes endpoints) stops routing to it before it stops listening.
    /// Part of the shutdown timeout. Default 0: stop listening at once (nginx's passive checks retry elsewhere).
    /// </summary>
    public TimeSpan DrainDelay { get; set; } = TimeSpan.Zero;
}
