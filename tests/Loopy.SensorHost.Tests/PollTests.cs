using System.Text.Json;
using Loopy.Testing;

namespace Loopy.SensorHost.Tests;

/// <summary>Exec poll sensors end to end: tick leases and watermarks in the Receiver, events accepted by it.</summary>
public sealed class PollTests
{
    private static readonly TimeSpan Interval = TimeSpan.FromSeconds(1);

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task A_poll_sensor_runs_each_interval_over_contiguous_windows_and_advances_the_watermark()
    {
        await using var poll = await PollProject.StartAsync(PollProject.TickScript, Ct);
        await poll.StartHostAsync(Ct);
        await Wait.UntilAsync(() => poll.PublishedWindows().Count >= 3, TimeSpan.FromSeconds(30), Ct);

        var runs = poll.Invocations();
        Assert.Equal(runs[0].ScheduledAt - Interval, runs[0].LastRun);
        for (var i = 1; i < runs.Count; i++)
        {
            Assert.Equal(runs[i - 1].ScheduledAt, runs[i].LastRun);
            Assert.True(runs[i].ScheduledAt - runs[i].LastRun >= Interval, "a tick ran before its interval was over");
        }

        var checkpoint = await poll.CheckpointAsync(Ct);
        var watermark = PollProject.Parse(checkpoint!.Value.GetProperty("watermark").GetString()!);
        Assert.Contains(watermark, runs.Select(r => r.ScheduledAt));
        AssertEachWindowOnce(poll);
    }

    [Fact]
    public async Task Two_replicas_poll_each_window_once_and_stopping_one_leaves_no_gap()
    {
        await using var poll = await PollProject.StartAsync(PollProject.TickScript, Ct);
        var first = await poll.StartHostAsync(Ct);
        await poll.StartHostAsync(Ct);
        await Wait.UntilAsync(() => poll.PublishedWindows().Count >= 4, TimeSpan.FromSeconds(30), Ct);

        await poll.StopHostAsync(first);
        var before = poll.PublishedWindows().Count;
        await Wait.UntilAsync(() => poll.PublishedWindows().Count >= before + 3, TimeSpan.FromSeconds(30), Ct);
        await poll.Receiver.DrainAsync(Ct);

        AssertEachWindowOnce(poll);
        AssertNoGaps(poll.Invocations());
        // Each window ran once across both replicas; the one exception allowed is a tick the stopped replica was in
        // the middle of: it hands the tick back and the other replica re-runs that window (its events dedupe).
        var runs = poll.Invocations();
        Assert.InRange(runs.Count - runs.Select(r => r.LastRun).Distinct().Count(), 0, 1);
    }

    [Fact]
    public async Task Stopping_a_replica_mid_tick_lets_the_tick_finish_and_advance_the_watermark_before_it_exits()
    {
        // The program logs its input, then takes 2 s before it prints the event.
        var slow = PollProject.TickScript.Replace("printf '%s\\n' \"$input\" >> ticks.log\n", "printf '%s\\n' \"$input\" >> ticks.log\nsleep 2\n", StringComparison.Ordinal);
        Assert.Contains("sleep 2", slow, StringComparison.Ordinal);
        await using var poll = await PollProject.StartAsync(slow, Ct);
        var host = await poll.StartHostAsync(Ct);
        await Wait.UntilAsync(() => poll.Invocations().Count >= 1, TimeSpan.FromSeconds(30), Ct);
        var tick = poll.Invocations()[0];

        // Stopping (SIGTERM's path) waits for the tick under way instead of cancelling and releasing it.
        await poll.StopHostAsync(host);
        await poll.Receiver.DrainAsync(Ct);

        Assert.Single(poll.Invocations());
        Assert.Equal([tick.LastRun], poll.PublishedWindows().Select(PollProject.Parse));
        var checkpoint = await poll.CheckpointAsync(Ct);
        Assert.Equal(tick.ScheduledAt, PollProject.Parse(checkpoint!.Value.GetProperty("watermark").GetString()!));
    }

    [Fact]
    public async Task A_replica_that_died_holding_a_tick_delays_it_only_until_its_lease_expires_and_leaves_no_gap()
    {
        await using var poll = await PollProject.StartAsync(PollProject.TickScript, Ct);
        var host = await poll.StartHostAsync(Ct);
        await Wait.UntilAsync(() => poll.PublishedWindows().Count >= 2, TimeSpan.FromSeconds(30), Ct);
        await poll.StopHostAsync(host);
        var watermark = PollProject.Parse((await poll.CheckpointAsync(Ct))!.Value.GetProperty("watermark").GetString()!);
        var ran = poll.Invocations().Count;

        // A replica claims the next tick and is killed: it never completes or releases it.
        using (var receiver = poll.Receiver.CreateClient())
        {
            using var content = new StringContent("""{"owner": "killed-replica", "lease_seconds": 3, "interval_seconds": 0}""", System.Text.Encoding.UTF8, "application/json");
            using var claim = await receiver.PostAsync(new Uri($"sensors/{PollProject.Sensor}/ticks/claim", UriKind.Relative), content, Ct);
            Assert.Equal(System.Net.HttpStatusCode.OK, claim.StatusCode);
        }

        var leaseUntil = PollProject.Parse((await poll.CheckpointAsync(Ct))!.Value.GetProperty("lease_until").GetString()!);
        await poll.StartHostAsync(Ct);
        await Wait.UntilAsync(() => poll.Invocations().Count >= ran + 2, TimeSpan.FromSeconds(30), Ct);

        var taken = poll.Invocations()[ran];
        Assert.True(taken.ScheduledAt >= leaseUntil, "the tick ran while the dead replica's lease was unexpired");
        Assert.Equal(watermark, taken.LastRun);
        AssertEachWindowOnce(poll);
        AssertNoGaps(poll.Invocations());
    }

    [Fact]
    public async Task After_a_restart_an_overdue_tick_fires_once_from_the_stored_watermark()
    {
        await using var poll = await PollProject.StartAsync(PollProject.TickScript, Ct);
        var host = await poll.StartHostAsync(Ct);
        await Wait.UntilAsync(() => poll.PublishedWindows().Count >= 2, TimeSpan.FromSeconds(30), Ct);
        await poll.StopHostAsync(host);
        var watermark = PollProject.Parse((await poll.CheckpointAsync(Ct))!.Value.GetProperty("watermark").GetString()!);
        var ran = poll.Invocations().Count;

        // Stay down for more than three intervals.
        await Wait.UntilAsync(() => DateTimeOffset.UtcNow > watermark + (3 * Interval), TimeSpan.FromSeconds(30), Ct);
        await poll.StartHostAsync(Ct);
        await Wait.UntilAsync(() => poll.Invocations().Count >= ran + 2, TimeSpan.FromSeconds(30), Ct);

        var runs = poll.Invocations();
        var overdue = runs[ran];
        Assert.Equal(watermark, overdue.LastRun);
        Assert.True(overdue.ScheduledAt - overdue.LastRun > 3 * Interval, "the overdue tick covers the whole downtime");
        Assert.Equal(overdue.ScheduledAt, runs[ran + 1].LastRun);
        Assert.True(runs[ran + 1].ScheduledAt - runs[ran + 1].LastRun >= Interval, "missed intervals are not fired one by one");
        AssertEachWindowOnce(poll);
    }

    [Fact]
    public async Task A_program_naming_another_event_keeps_the_watermark_and_emits_nothing()
    {
        const string wrong = """
            cat >/dev/null
            echo '{"fields": {"last_run": "x"}, "name": "Ping"}'
            """;
        await using var poll = await PollProject.StartAsync(wrong, Ct);
        var host = await poll.StartHostAsync(Ct);
        await Wait.UntilAsync(() => host.Logs.Count(4) >= 2 && host.Logs.Count(11) >= 2, TimeSpan.FromSeconds(30), Ct);

        var checkpoint = await poll.CheckpointAsync(Ct);
        Assert.Equal(JsonValueKind.Null, checkpoint!.Value.GetProperty("watermark").ValueKind);
        await poll.Receiver.DrainAsync(Ct);
        Assert.Empty(poll.Receiver.Of("Tick"));
        Assert.Empty(poll.Receiver.Of("Ping"));
    }

    [Fact]
    public async Task While_the_Receiver_is_down_ticks_wait_and_afterwards_every_window_arrives_once()
    {
        await using var poll = await PollProject.StartAsync(PollProject.TickScript, Ct);
        var host = await poll.StartHostAsync(Ct);
        await Wait.UntilAsync(() => poll.PublishedWindows().Count >= 2, TimeSpan.FromSeconds(30), Ct);

        await poll.Receiver.StopAsync();
        var stoppedAt = DateTimeOffset.UtcNow;
        await Wait.UntilAsync(() => host.Logs.Count(13) >= 3 && DateTimeOffset.UtcNow - stoppedAt > TimeSpan.FromSeconds(4), TimeSpan.FromSeconds(60), Ct);
        await poll.Receiver.StartAsync(Ct);

        var before = poll.PublishedWindows().Count;
        await Wait.UntilAsync(() => poll.PublishedWindows().Count >= before + 3, TimeSpan.FromSeconds(60), Ct);
        await poll.Receiver.DrainAsync(Ct);

        AssertEachWindowOnce(poll);
        AssertNoGaps(poll.Invocations());
        var runs = poll.Invocations();
        Assert.Contains(runs, r => r.ScheduledAt - r.LastRun >= TimeSpan.FromSeconds(4));
    }

    /// <summary>Every published window start appears once (no window's events doubled).</summary>
    private static void AssertEachWindowOnce(PollProject poll)
    {
        var windows = poll.PublishedWindows();
        Assert.NotEmpty(windows);
        Assert.Equal(windows.Count, windows.Distinct().Count());
    }

    /// <summary>Each completed window ends where the next one starts: no time goes unscanned.</summary>
    private static void AssertNoGaps(IReadOnlyList<(DateTimeOffset ScheduledAt, DateTimeOffset LastRun)> runs)
    {
        var starts = runs.Select(r => r.LastRun).ToHashSet();
        var ends = runs.Select(r => r.ScheduledAt).ToHashSet();
        var first = runs.Min(r => r.LastRun);
        // Every window start but the first is the end of an earlier run (the watermark it completed).
        Assert.All(starts.Where(s => s != first), s => Assert.Contains(s, ends));
    }
}
