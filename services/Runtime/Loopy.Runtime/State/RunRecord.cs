namespace Loopy.Runtime.State;

/// <summary>One run of a workflow, keyed unique by (<see cref="EventId"/>, <see cref="Workflow"/>). Times are Unix milliseconds.</summary>
public sealed class RunRecord
{
    public required string Id { get; set; }

    public required string Workflow { get; set; }

    public required string EventId { get; set; }

    public required string EventName { get; set; }

    /// <summary>The triggering event's fields as JSON text.</summary>
    public required string EventFields { get; set; }

    /// <summary>The content hash of the manifest the run is pinned to.</summary>
    public required string ManifestHash { get; set; }

    public required string Status { get; set; }

    public required string CascadeId { get; set; }

    public int ChainDepth { get; set; }

    /// <summary>W3C traceparent of the run's span; steps are parented on it.</summary>
    public string? TraceParent { get; set; }

    public string? Error { get; set; }

    /// <summary>The local name of the step that failed the run.</summary>
    public string? FailedStep { get; set; }

    public long CreatedAt { get; set; }

    public long? FinishedAt { get; set; }
}
