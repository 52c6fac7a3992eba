using System.Globalization;
using System.Text.Json;
using Loopy.Runtime.State;
using Microsoft.Extensions.Time.Testing;

namespace Loopy.Runtime.Tests.Cron;

/// <summary>
/// The scheduler on a fake clock through Europe/Berlin's 2026 transitions with <c>cron("30 2 * * *", tz=Europe/Berlin)</c>:
/// the skipped 02:30 of 29 March fires once at 03:00 CEST, the repeated 02:30 of 25 October fires once.
/// </summary>
public sealed class CronDstSchedulerTests : IAsyncDisposable
{
    private const string Workflow = "nightly";
    private readonly string _projectRoot = CronProject.Create(Workflow, "sweep", "cron(\"30 2 * * *\", tz=Europe/Berlin)");
    private readonly string _dataDirectory = Directory.CreateTempSubdirectory("loopy-rt-cron-data-").FullName;
    private readonly FakeTimeProvider _clock = new(At("2026-03-28T12:00:00Z"));

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Skipped_and_repeated_local_times_each_fire_once()
    {
        var settings = new Dictionary<string, string?> { ["Loopy:Runtime:MaxConcurrentSteps"] = "0" };
        await using var runtime = await CronHost.StartAsync(_projectRoot, _dataDirectory, null, _clock, settings, Ct);

        // 29 March 01:59 CET: the day's 02:30 does not exist yet, nothing is due since the start.
        await PassAtAsync(runtime, "2026-03-29T00:59:00Z");
        Assert.Empty(await runtime.RunsAsync(Workflow, Ct));

        // 03:00 CEST (01:00Z) is the first valid instant after the skipped 02:30: it fires, once.
        var spring = await FireAsync(runtime, "2026-03-29T01:00:00Z");
        Assert.Equal("2026-03-28T01:30:00Z", Field(spring, "last_run"));
        await PassAtAsync(runtime, "2026-03-29T01:45:00Z");
        Assert.Single(await runtime.RunsAsync(Workflow, Ct));
        var next = await FireAsync(runtime, "2026-03-30T00:30:00Z");
        Assert.Equal("2026-03-29T01:00:00Z", Field(next, "last_run"));

        // 25 October 02:30 CEST (00:30Z) fires; 02:30 CET an hour later (01:30Z) is the same local time again: no run.
        var autumn = await FireAsync(runtime, "2026-10-25T00:30:00Z");
        Assert.Equal("2026-03-30T00:30:00Z", Field(autumn, "last_run"));
        await PassAtAsync(runtime, "2026-10-25T01:30:00Z");
        await PassAtAsync(runtime, "2026-10-25T02:00:00Z");
        Assert.Equal(3, (await runtime.RunsAsync(Workflow, Ct)).Length);
        var after = await FireAsync(runtime, "2026-10-26T01:30:00Z");
        Assert.Equal("2026-10-25T00:30:00Z", Field(after, "last_run"));

        Assert.Equal(
            ["2026-03-29T01:00:00Z", "2026-03-30T00:30:00Z", "2026-10-25T00:30:00Z", "2026-10-26T01:30:00Z"],
            (await runtime.RunsAsync(Workflow, Ct)).Select(r => Field(r, "scheduled_at")));
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

    /// <summary>Moves the clock to <paramref name="instant"/> and waits for a scheduler pass at or after it (nudging the clock by 100 ms).</summary>
    private async Task PassAtAsync(CronHost runtime, string instant)
    {
        _clock.SetUtcNow(At(instant));
        await Wait.UntilAsync(() =>
        {
            _clock.Advance(TimeSpan.FromMilliseconds(100));
            return Task.FromResult(runtime.Scheduler.LastPassAt >= At(instant));
        }, TimeSpan.FromSeconds(30), $"a scheduler pass at {instant}", Ct);
    }

    /// <summary>Moves the clock to <paramref name="slot"/> and waits for the run of its tick (nudging the clock by 100 ms).</summary>
    private async Task<RunRecord> FireAsync(CronHost runtime, string slot)
    {
        _clock.SetUtcNow(At(slot));
        return await Wait.ForAsync(async () =>
        {
            var run = (await runtime.RunsAsync(Workflow, Ct)).SingleOrDefault(r => r.EventId == $"tick-nightly/sweep-{slot}");
            if (run is null)
            {
                _clock.Advance(TimeSpan.FromMilliseconds(100));
            }

            return run;
        }, TimeSpan.FromSeconds(60), $"the run of tick {slot}", Ct);
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
