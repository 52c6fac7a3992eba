using System.Globalization;
using System.Text.Json;
using Loopy.Runtime.State;
using Microsoft.Extensions.Time.Testing;

namespace Loopy.Runtime.Tests.Cron;

/// <summary>
/// The cron scheduler in the standalone wiring (SQLite, in-process bus) driven by a fake clock: each slot fires
/// one run carrying <c>scheduled_at</c> and <c>last_run</c>, which render into the prompt; after downtime the
/// catch-up policy decides which missed slots fire.
/// </summary>
public sealed class CronSchedulerTests : IAsyncDisposable
{
    private const string Workflow = "upkeep";
    private readonly string _projectRoot = CronProject.Create(Workflow, "scan-deps", "cron(\"* * * * *\", tz=Europe/Berlin)");
    private readonly string _dataDirectory = Directory.CreateTempSubdirectory("loopy-rt-cron-data-").FullName;
    private readonly FakeTimeProvider _clock = new(At("2026-06-19T02:59:30Z"));

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Each_slot_fires_once_as_time_advances_and_after_downtime_only_the_latest_missed_slot_fires()
    {
        var runtime = await StartAsync(null);

        // Started at 02:59:30 with no history: nothing fires before the first slot that comes due.
        Assert.Empty(await runtime.RunsAsync(Workflow, Ct));

        // 03:00, 03:01, 03:02 each fire once; the first tick's last_run is the previous occurrence of the expression.
        var first = await FireAsync(runtime, "2026-06-19T03:00:00Z", expectedRuns: 1);
        Assert.Equal("2026-06-19T02:59:00Z", Field(first, "last_run"));
        Assert.Equal("cron", first.EventName);
        Assert.Equal(first.EventId, first.CascadeId);
        Assert.Equal(0, first.ChainDepth);
        await WaitForPromptAsync(runtime, first, "Tick 2026-06-19T03:00:00Z after 2026-06-19T02:59:00Z.");

        var second = await FireAsync(runtime, "2026-06-19T03:01:00Z", expectedRuns: 2);
        Assert.Equal("2026-06-19T03:00:00Z", Field(second, "last_run"));
        await WaitForPromptAsync(runtime, second, "Tick 2026-06-19T03:01:00Z after 2026-06-19T03:00:00Z.");
        var third = await FireAsync(runtime, "2026-06-19T03:02:00Z", expectedRuns: 3);
        Assert.Equal("2026-06-19T03:01:00Z", Field(third, "last_run"));

        // Passes in between slots fire nothing more.
        _clock.Advance(TimeSpan.FromSeconds(20));
        var passed = _clock.GetUtcNow();
        await Wait.UntilAsync(() =>
        {
            _clock.Advance(TimeSpan.FromMilliseconds(100));
            return Task.FromResult(runtime.Scheduler.LastPassAt >= passed);
        }, TimeSpan.FromSeconds(30), "a pass between slots", Ct);
        Assert.Equal(3, (await runtime.RunsAsync(Workflow, Ct)).Length);

        // Down from 03:02:20 to 03:07:30: 03:03 to 03:07 are missed; on restart only 03:07 fires, once, last_run 03:02.
        await WaitForPromptAsync(runtime, third, "Tick 2026-06-19T03:02:00Z after 2026-06-19T03:01:00Z.");
        await runtime.DisposeAsync();
        _clock.SetUtcNow(At("2026-06-19T03:07:30Z"));
        runtime = await StartAsync(null);
        var caughtUp = await WaitForTickAsync(runtime, "2026-06-19T03:07:00Z");
        Assert.Equal("2026-06-19T03:02:00Z", Field(caughtUp, "last_run"));
        await WaitForPromptAsync(runtime, caughtUp, "Tick 2026-06-19T03:07:00Z after 2026-06-19T03:02:00Z.");

        var next = await FireAsync(runtime, "2026-06-19T03:08:00Z", expectedRuns: 5);
        Assert.Equal("2026-06-19T03:07:00Z", Field(next, "last_run"));
        var runs = await runtime.RunsAsync(Workflow, Ct);
        Assert.Equal(
            ["03:00", "03:01", "03:02", "03:07", "03:08"],
            runs.Select(r => Field(r, "scheduled_at")[11..16]));
        Assert.All(runs, r => Assert.Equal($"tick-upkeep/scan-deps-{Field(r, "scheduled_at")}", r.EventId));
        await runtime.DisposeAsync();
    }

    [Fact]
    public async Task Catch_up_all_fires_every_missed_slot_up_to_the_limit_oldest_first()
    {
        var settings = new Dictionary<string, string?>
        {
            ["Loopy:Runtime:CronCatchUp"] = "All",
            ["Loopy:Runtime:CronMaxCatchUp"] = "3",
        };
        var runtime = await StartAsync(settings);
        await FireAsync(runtime, "2026-06-19T03:00:00Z", expectedRuns: 1);
        await runtime.DisposeAsync();

        // Down until 03:07:30: 03:01 to 03:07 were missed; the 3 most recent fire, chained by last_run.
        _clock.SetUtcNow(At("2026-06-19T03:07:30Z"));
        runtime = await StartAsync(settings);
        await WaitForTickAsync(runtime, "2026-06-19T03:07:00Z");
        var runs = await runtime.RunsAsync(Workflow, Ct);
        Assert.Equal(
            [("03:00", "02:59"), ("03:05", "03:00"), ("03:06", "03:05"), ("03:07", "03:06")],
            runs.Select(r => (Field(r, "scheduled_at")[11..16], Field(r, "last_run")[11..16])));
        await runtime.DisposeAsync();
    }

    public async ValueTask DisposeAsync()
    {
        TryDelete(_dataDirectory);
        TryDelete(_projectRoot);
        await Task.CompletedTask;
    }

    private static DateTimeOffset At(string text) =>
        DateTimeOffset.Parse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal);

    private static string Field(RunRecord run, string name) =>
        JsonDocument.Parse(run.EventFields).RootElement.GetProperty(name).GetString()!;

    private Task<CronHost> StartAsync(IDictionary<string, string?>? settings) =>
        CronHost.StartAsync(_projectRoot, _dataDirectory, null, _clock, settings, Ct);

    /// <summary>Moves the clock to <paramref name="slot"/>, waits for its run and checks that no other run appeared.</summary>
    private async Task<RunRecord> FireAsync(CronHost runtime, string slot, int expectedRuns)
    {
        _clock.SetUtcNow(At(slot));
        var run = await WaitForTickAsync(runtime, slot);
        Assert.Equal(expectedRuns, (await runtime.RunsAsync(Workflow, Ct)).Length);
        return run;
    }

    /// <summary>
    /// Waits for the run of the tick at <paramref name="slot"/>. A scheduler that was mid-pass when the clock moved
    /// sleeps on the fake clock until the next poll, so the clock is nudged by 100 ms while waiting.
    /// </summary>
    private async Task<RunRecord> WaitForTickAsync(CronHost runtime, string slot) =>
        await Wait.ForAsync(async () =>
        {
            var run = (await runtime.RunsAsync(Workflow, Ct)).SingleOrDefault(r => r.EventId == $"tick-upkeep/scan-deps-{slot}");
            if (run is null)
            {
                _clock.Advance(TimeSpan.FromMilliseconds(100));
            }

            return run;
        }, TimeSpan.FromSeconds(60), $"the run of tick {slot}", Ct);

    /// <summary>Waits for the run's step to complete and checks the prompt its agent received.</summary>
    private async Task WaitForPromptAsync(CronHost runtime, RunRecord run, string expected)
    {
        var finished = await Wait.ForAsync(async () =>
        {
            var current = (await runtime.RunsAsync(Workflow, Ct)).Single(r => r.Id == run.Id);
            return current.Status is RunStatus.Completed or RunStatus.Failed ? current : null;
        }, TimeSpan.FromSeconds(60), $"run {run.Id} to finish", Ct);
        Assert.Equal(RunStatus.Completed, finished.Status);
        var prompt = await File.ReadAllTextAsync(Path.Combine(_projectRoot, "out", $"prompt-{run.Id}.txt"), Ct);
        Assert.StartsWith(expected, prompt, StringComparison.Ordinal);
    }

    private static void TryDelete(string directory)
    {
        try
        {
            Directory.Delete(directory, recursive: true);
        }
        catch (IOException)
        {
            // A process may still hold a file for a moment; the temp folder is cleaned by the OS.
        }
    }
}
