namespace Loopy.Runtime.State;

/// <summary>One append-only entry of a run's history (AUTHORING.md §8.7). <see cref="At"/> is Unix milliseconds.</summary>
public sealed class HistoryRecord
{
    public long Id { get; set; }

    public required string RunId { get; set; }

    public required string Kind { get; set; }

    /// <summary>The step id (<c>&lt;workflow&gt;/&lt;step&gt;</c>) the entry is about, when any.</summary>
    public string? StepId { get; set; }

    /// <summary>The kind's payload as a JSON object text.</summary>
    public required string Payload { get; set; }

    public long At { get; set; }
}
