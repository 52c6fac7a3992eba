namespace Loopy.Bus;

/// <summary>"Workflow <paramref name="Workflow"/> subscribes to <paramref name="EventNames"/> with <paramref name="Handler"/>."</summary>
/// <param name="Workflow">The workflow name; one queue / consumer group per workflow.</param>
/// <param name="EventNames">The event names the workflow listens to (<c>on:</c>).</param>
/// <param name="Handler">Called once per delivery.</param>
public sealed record BusSubscription(string Workflow, IReadOnlyCollection<string> EventNames, BusHandler Handler)
{
    /// <summary>How many deliveries this consumer handles at once; <see cref="BusOptions.ConcurrencyPerSubscription"/> when null.</summary>
    public int? Concurrency { get; init; }
}
