using System.Globalization;
using Loopy.Runtime.Cron;

namespace Loopy.Runtime.Tests.Cron;

/// <summary>
/// Cron slots over the 2026 daylight-saving transitions of Europe/Berlin (29 March 02:00 CET → 03:00 CEST,
/// 25 October 03:00 CEST → 02:00 CET) and America/New_York (8 March 02:00 EST → 03:00 EDT, 1 November
/// 02:00 EDT → 01:00 EST): a skipped local time fires once at the next valid instant, a repeated one once.
/// </summary>
public sealed class CronScheduleTests
{
    private static DateTimeOffset Utc(string text) =>
        DateTimeOffset.Parse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal);

    private static string[] Slots(CronSchedule schedule, string after, string until) =>
        [.. schedule.Between(Utc(after), Utc(until)).Select(CronTick.Format)];

    [Fact]
    public void Berlin_spring_forward_fires_the_skipped_0230_once_at_0300_summer_time()
    {
        var schedule = CronSchedule.Parse("30 2 * * *", "Europe/Berlin");

        // 28 March 02:30 CET = 01:30Z; 29 March 02:30 does not exist: 03:00 CEST = 01:00Z; 30 March 02:30 CEST = 00:30Z.
        Assert.Equal(["2026-03-28T01:30:00Z", "2026-03-29T01:00:00Z", "2026-03-30T00:30:00Z"], Slots(schedule, "2026-03-27T12:00:00Z", "2026-03-30T12:00:00Z"));
    }

    [Fact]
    public void Berlin_fall_back_fires_the_repeated_0230_once_at_its_first_instance()
    {
        var schedule = CronSchedule.Parse("30 2 * * *", "Europe/Berlin");

        // 25 October 02:30 happens at 00:30Z (CEST) and again at 01:30Z (CET): only the first fires.
        Assert.Equal(["2026-10-24T00:30:00Z", "2026-10-25T00:30:00Z", "2026-10-26T01:30:00Z"], Slots(schedule, "2026-10-23T12:00:00Z", "2026-10-26T12:00:00Z"));
    }

    [Fact]
    public void New_York_spring_forward_fires_the_skipped_0230_once_at_0300_daylight_time()
    {
        var schedule = CronSchedule.Parse("30 2 * * *", "America/New_York");

        // 7 March 02:30 EST = 07:30Z; 8 March 02:30 does not exist: 03:00 EDT = 07:00Z; 9 March 02:30 EDT = 06:30Z.
        Assert.Equal(["2026-03-07T07:30:00Z", "2026-03-08T07:00:00Z", "2026-03-09T06:30:00Z"], Slots(schedule, "2026-03-06T12:00:00Z", "2026-03-09T12:00:00Z"));
    }

    [Fact]
    public void New_York_fall_back_fires_the_repeated_0130_once_at_its_first_instance()
    {
        var schedule = CronSchedule.Parse("30 1 * * *", "America/New_York");

        // 1 November 01:30 happens at 05:30Z (EDT) and again at 06:30Z (EST): only the first fires.
        Assert.Equal(["2026-10-31T05:30:00Z", "2026-11-01T05:30:00Z", "2026-11-02T06:30:00Z"], Slots(schedule, "2026-10-30T12:00:00Z", "2026-11-02T12:00:00Z"));
    }

    [Fact]
    public void Hourly_schedules_keep_one_slot_per_real_hour_through_both_New_York_transitions()
    {
        var schedule = CronSchedule.Parse("0 * * * *", "America/New_York");

        // Spring: 01:00 EST (06:00Z) is followed by 03:00 EDT (07:00Z), the skipped hour has no slot.
        Assert.Equal(["2026-03-08T05:00:00Z", "2026-03-08T06:00:00Z", "2026-03-08T07:00:00Z", "2026-03-08T08:00:00Z"], Slots(schedule, "2026-03-08T04:30:00Z", "2026-03-08T08:30:00Z"));

        // Autumn: 01:00 EDT (05:00Z) and 01:00 EST (06:00Z) are an hour apart, so each fires once.
        Assert.Equal(["2026-11-01T04:00:00Z", "2026-11-01T05:00:00Z", "2026-11-01T06:00:00Z", "2026-11-01T07:00:00Z"], Slots(schedule, "2026-11-01T03:30:00Z", "2026-11-01T07:30:00Z"));
    }

    [Theory]
    [InlineData("30 2 * * *", "Europe/Berlin", "2026-03-28T22:00:00Z")]
    [InlineData("30 2 * * *", "Europe/Berlin", "2026-10-24T22:00:00Z")]
    [InlineData("*/20 2 * * *", "Europe/Berlin", "2026-10-24T22:00:00Z")]
    [InlineData("0 * * * *", "Europe/Berlin", "2026-03-28T22:00:00Z")]
    [InlineData("30 2 * * *", "America/New_York", "2026-03-08T04:00:00Z")]
    [InlineData("30 1 * * *", "America/New_York", "2026-11-01T03:00:00Z")]
    [InlineData("0 * * * *", "America/New_York", "2026-11-01T03:00:00Z")]
    [InlineData("*/7 * * * *", null, "2026-06-19T01:00:00Z")]
    public void Latest_due_slot_agrees_with_the_forward_slots_at_every_minute_across_a_transition(string expression, string? zone, string start)
    {
        // The scheduler finds the most recent due slot walking back from now; it must be the same slot that walking
        // forward reaches, at every minute (and half minute) of the six hours around a transition.
        var schedule = CronSchedule.Parse(expression, zone);
        var from = Utc(start);
        var forward = schedule.Between(from.AddDays(-2), from.AddDays(2)).ToList();
        Assert.NotEmpty(forward);
        Assert.Equal(forward.Count, forward.Distinct().Count());
        for (var now = from; now < from.AddHours(6); now = now.AddSeconds(30))
        {
            var expected = forward.Last(s => s <= now);
            Assert.Equal(expected, schedule.Latest(now));
            Assert.Equal(forward.Last(s => s < now), schedule.Previous(now));
            Assert.Equal(forward.First(s => s > now), schedule.Next(now));
        }
    }

    [Fact]
    public void Latest_between_returns_the_most_recent_slots_oldest_first_within_the_limit()
    {
        var schedule = CronSchedule.Parse("*/10 * * * *", null);
        var after = Utc("2026-06-19T03:00:00Z");
        var until = Utc("2026-06-19T04:05:00Z");

        Assert.Equal(["2026-06-19T03:40:00Z", "2026-06-19T03:50:00Z", "2026-06-19T04:00:00Z"], schedule.LatestBetween(after, until, 3).Select(CronTick.Format));
        Assert.Equal(6, schedule.LatestBetween(after, until, 100).Count);
        Assert.Equal(schedule.Between(after, until), schedule.LatestBetween(after, until, 100));
    }

    [Theory]
    [InlineData("* * * *", null, "invalid cron expression: '* * * *' (expects 5 fields)")]
    [InlineData("0 * * * * *", null, "invalid cron expression: '0 * * * * *' (expects 5 fields)")]
    [InlineData("61 * * * *", null, "invalid cron expression: '61 * * * *' (expects 5 fields)")]
    [InlineData("0 3 * * *", "Mars/Olympus_Mons", "unknown timezone: Mars/Olympus_Mons")]
    public void Malformed_expressions_and_unknown_zones_are_rejected(string expression, string? zone, string message)
    {
        var error = Assert.Throws<FormatException>(() => CronSchedule.Parse(expression, zone));
        Assert.Equal(message, error.Message);
    }

    [Fact]
    public void A_zone_defaults_to_utc_and_may_be_quoted()
    {
        Assert.Equal(TimeZoneInfo.Utc, CronSchedule.Parse("0 3 * * *", null).Zone);
        Assert.Equal("Europe/Berlin", CronSchedule.Parse("0 3 * * *", "\"Europe/Berlin\"").Zone.Id);
        Assert.Equal("2026-06-19T03:00:00Z", CronTick.Format(CronSchedule.Parse("0 3 * * *", null).Next(Utc("2026-06-18T12:00:00Z"))!.Value));
    }

    [Fact]
    public void Tick_ids_name_the_entry_step_and_the_slot_in_whole_utc_seconds()
    {
        var slot = new DateTimeOffset(2026, 6, 19, 5, 0, 0, 123, TimeSpan.FromHours(2));

        Assert.Equal("tick-upkeep/scan-deps-2026-06-19T03:00:00Z", CronTick.Id("upkeep/scan-deps", slot));
        Assert.Equal(Utc("2026-06-19T03:00:00Z"), CronTick.ParseSlot("tick-upkeep/scan-deps-2026-06-19T03:00:00Z", CronTick.Prefix("upkeep/scan-deps")));
        Assert.Null(CronTick.ParseSlot("tick-upkeep/other-2026-06-19T03:00:00Z", CronTick.Prefix("upkeep/scan-deps")));
        Assert.Equal("""{"scheduled_at":"2026-06-19T03:00:00Z","last_run":"2026-06-18T03:00:00Z"}""", CronTick.Fields(slot, slot.AddDays(-1)).ToJsonString());
    }
}
