using Cronos;

namespace Loopy.Runtime.Cron;

/// <summary>
/// A cron trigger's schedule (AUTHORING.md §3.2): a 5-field expression (Cronos <see cref="CronFormat.Standard"/>)
/// evaluated in an IANA zone, UTC when none is given. Slots are UTC instants. Daylight-saving transitions
/// follow Cronos: a local time the clocks skip fires once, at the first valid instant after the gap; a local
/// time the clocks repeat fires once, at its first (daylight) instance; expressions with an interval in the
/// minute or hour field (<c>*/15</c>, <c>*</c>) keep firing at their interval through the repeated hour.
/// </summary>
public sealed class CronSchedule
{
    /// <summary>How far back a schedule is searched for its last slot (a schedule may fire once in several years, e.g. 29 February).</summary>
    private static readonly TimeSpan MaxLookBack = TimeSpan.FromDays(366 * 32);

    private readonly CronExpression _expression;

    private CronSchedule(string expression, CronExpression parsed, TimeZoneInfo zone)
    {
        Expression = expression;
        _expression = parsed;
        Zone = zone;
    }

    /// <summary>The expression as written.</summary>
    public string Expression { get; }

    /// <summary>The zone the expression is read in.</summary>
    public TimeZoneInfo Zone { get; }

    /// <summary>Parses <paramref name="expression"/> in zone <paramref name="timeZone"/> (null or empty: UTC; surrounding double quotes are accepted).</summary>
    /// <exception cref="FormatException">The expression does not have 5 valid fields, or the zone is unknown.</exception>
    public static CronSchedule Parse(string expression, string? timeZone)
    {
        ArgumentNullException.ThrowIfNull(expression);
        CronExpression parsed;
        try
        {
            parsed = CronExpression.Parse(expression.Trim(), CronFormat.Standard);
        }
        catch (CronFormatException ex)
        {
            throw new FormatException($"invalid cron expression: '{expression}' (expects 5 fields)", ex);
        }

        var zoneName = timeZone?.Trim().Trim('"');
        if (string.IsNullOrEmpty(zoneName))
        {
            return new CronSchedule(expression, parsed, TimeZoneInfo.Utc);
        }

        try
        {
            return new CronSchedule(expression, parsed, TimeZoneInfo.FindSystemTimeZoneById(zoneName));
        }
        catch (Exception ex) when (ex is TimeZoneNotFoundException or InvalidTimeZoneException)
        {
            throw new FormatException($"unknown timezone: {zoneName}", ex);
        }
    }

    /// <summary>The first slot strictly after <paramref name="instant"/>, or null when there is none.</summary>
    public DateTimeOffset? Next(DateTimeOffset instant) =>
        Utc(_expression.GetNextOccurrence(instant, Zone, inclusive: false));

    /// <summary>The last slot at or before <paramref name="instant"/> (the most recent due slot), or null.</summary>
    public DateTimeOffset? Latest(DateTimeOffset instant) => LastBefore(instant, inclusive: true);

    /// <summary>The last slot strictly before <paramref name="instant"/>, or null.</summary>
    public DateTimeOffset? Previous(DateTimeOffset instant) => LastBefore(instant, inclusive: false);

    /// <summary>The slots in (<paramref name="after"/>, <paramref name="until"/>], oldest first.</summary>
    public IEnumerable<DateTimeOffset> Between(DateTimeOffset after, DateTimeOffset until) =>
        _expression.GetOccurrences(after, until, Zone, fromInclusive: false, toInclusive: true).Select(o => o.ToUniversalTime());

    /// <summary>
    /// At most <paramref name="limit"/> slots in (<paramref name="after"/>, <paramref name="until"/>], the most
    /// recent ones, oldest first; walks back from <paramref name="until"/>, so a long gap costs no more than the limit.
    /// </summary>
    public IReadOnlyList<DateTimeOffset> LatestBetween(DateTimeOffset? after, DateTimeOffset until, int limit)
    {
        var slots = new List<DateTimeOffset>();
        var slot = Latest(until);
        while (slot is { } current && slots.Count < limit && (after is null || current > after.Value))
        {
            slots.Add(current);
            slot = Previous(current);
        }

        slots.Reverse();
        return slots;
    }

    public override string ToString() => Zone == TimeZoneInfo.Utc ? Expression : $"{Expression} ({Zone.Id})";

    /// <summary>
    /// Looks back from <paramref name="instant"/> with forward occurrences over a window that doubles from a minute
    /// (up to about 32 years). Cronos' own <c>GetPreviousOccurrence</c> is not used: around a spring-forward gap it
    /// returns the last second before the gap (e.g. 00:59:59Z in Berlin), which is no slot at all; the forward
    /// search is the one the DST rules are defined by, so both directions agree (CronScheduleTests checks it).
    /// </summary>
    private DateTimeOffset? LastBefore(DateTimeOffset instant, bool inclusive)
    {
        for (var span = TimeSpan.FromMinutes(1); span <= MaxLookBack; span *= 2)
        {
            DateTimeOffset? last = null;
            foreach (var occurrence in _expression.GetOccurrences(instant - span, instant, Zone, fromInclusive: true, toInclusive: inclusive))
            {
                last = occurrence;
            }

            if (last is { } found)
            {
                return found.ToUniversalTime();
            }
        }

        return null;
    }

    private static DateTimeOffset? Utc(DateTimeOffset? occurrence) => occurrence?.ToUniversalTime();
}
