namespace Loopy.Contracts.Manifest;

/// <summary>
/// "Events named <paramref name="EventName"/> start workflow <paramref name="Workflow"/>": the bus topology a manifest
/// needs (one queue or consumer group per workflow, bound to the events its entry step is triggered by).
/// </summary>
public sealed record EventRoute(string Workflow, string EventName)
{
    /// <summary>The routes of <paramref name="manifest"/>: every workflow whose entry step has an event trigger, by workflow name.</summary>
    public static IReadOnlyList<EventRoute> Of(LoopyManifest manifest)
    {
        ArgumentNullException.ThrowIfNull(manifest);
        var routes = new List<EventRoute>();
        foreach (var (name, workflow) in manifest.Workflows.OrderBy(w => w.Key, StringComparer.Ordinal))
        {
            if (workflow.Steps.TryGetValue(workflow.Entry, out var entry)
                && entry.Trigger is { Kind: ManifestTrigger.EventKind, Event: { Length: > 0 } eventName })
            {
                routes.Add(new EventRoute(name, eventName));
            }
        }

        return routes;
    }
}
