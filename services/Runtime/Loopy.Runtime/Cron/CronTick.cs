using System.Globalization;
using System.Text.Json.Nodes;

namespace Loopy.Runtime.Cron;

/// <summary>
/// A cron tick as a run's triggering event (AUTHORING.md §8.1, §8.3): id <c>tick-&lt;entry step id&gt;-&lt;slot&gt;</c>,
/// event name <see cref="EventName"/>, fields <c>scheduled_at</c> and <c>last_run</c>, all times RFC 3339 UTC
/// with <c>Z</c> in whole seconds. The id is deterministic, so every replica firing the same slot produces the
/// same (event id, workflow) key and the runs table's unique index lets exactly one of them start the run.
/// </summary>
public static class CronTick
{
    /// <summary>The event name recorded on runs started by a cron tick.</summary>
    public const string EventName = "cron";

    private const string TimeFormat = "yyyy-MM-dd'T'HH:mm:ss'Z'";

    /// <summary>The tick id prefix of an entry step: <c>tick-&lt;wf&gt;/&lt;step&gt;-</c>.</summary>
    public static string Prefix(string entryStepId) => $"tick-{entryStepId}-";

    /// <summary>The event id of the tick of <paramref name="entryStepId"/> at <paramref name="slot"/>.</summary>
    public static string Id(string entryStepId, DateTimeOffset slot) => Prefix(entryStepId) + Format(slot);

    /// <summary>An instant as RFC 3339 UTC with <c>Z</c>, whole seconds.</summary>
    public static string Format(DateTimeOffset instant) =>
        instant.UtcDateTime.ToString(TimeFormat, CultureInfo.InvariantCulture);

    /// <summary>The tick's event fields: <c>{"scheduled_at": …, "last_run": …}</c>.</summary>
    public static JsonObject Fields(DateTimeOffset slot, DateTimeOffset lastRun) => new()
    {
        ["scheduled_at"] = Format(slot),
        ["last_run"] = Format(lastRun),
    };

    /// <summary>The slot of a tick id with prefix <paramref name="prefix"/>, or null when it is not such an id.</summary>
    public static DateTimeOffset? ParseSlot(string eventId, string prefix)
    {
        ArgumentNullException.ThrowIfNull(eventId);
        ArgumentNullException.ThrowIfNull(prefix);
        return eventId.StartsWith(prefix, StringComparison.Ordinal)
            && DateTimeOffset.TryParseExact(eventId.AsSpan(prefix.Length), TimeFormat, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out var slot)
            ? slot
            : null;
    }
}
