using System.Collections.Concurrent;
using System.Diagnostics;
using System.Diagnostics.Metrics;
using System.Globalization;
using Loopy.Runtime.State;
using Loopy.Testing;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;

namespace Loopy.Runtime.Tests.Cron;

/// <summary>
/// Exactly once across replicas: three Runtime replicas on one Postgres database share a fake clock that walks
/// through 60 minute slots of a per-minute schedule (across the Europe/Berlin spring-forward night); one replica
/// is stopped and restarted twice along the way. Every slot must have exactly one run.
/// </summary>
[Collection(RealServers.Name)]
public sealed class CronReplicaTests(ITestOutputHelper output)
{
    private const string Workflow = "heartbeat";
    private const int SlotCount = 60;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Three_replicas_fire_every_slot_exactly_once_while_one_is_stopped_and_restarted_twice()
    {
        var postgres = TestServers.Postgres;
        var projectRoot = CronProject.Create(Workflow, "beat", "cron(\"* * * * *\", tz=Europe/Berlin)");
        var dataDirectory = Directory.CreateTempSubdirectory("loopy-rt-cron-data-").FullName;
        await using var database = await TestDatabase.CreateAsync(postgres, Ct);
        var clock = new FakeTimeProvider(At("2026-03-29T00:29:30Z"));

        // Steps are not run (MaxConcurrentSteps 0): only the runs the ticks start are counted.
        var settings = new Dictionary<string, string?> { ["Loopy:Runtime:MaxConcurrentSteps"] = "0" };
        Task<CronHost> StartReplicaAsync() => CronHost.StartAsync(projectRoot, dataDirectory, database.ConnectionString, clock, settings, Ct);

        // Who started a run and who found it started already, per replica (the meter factory is per host).
        var outcomes = new ConcurrentDictionary<(object? Scope, string Outcome), int>();
        using var listener = new MeterListener();
        listener.InstrumentPublished = (instrument, l) =>
        {
            if (instrument.Name == "loopy.runtime.cron_ticks")
            {
                l.EnableMeasurementEvents(instrument);
            }
        };
        listener.SetMeasurementEventCallback<long>((instrument, value, tags, _) =>
        {
            string? workflow = null;
            string? outcome = null;
            foreach (var tag in tags)
            {
                workflow = tag.Key == "workflow" ? tag.Value as string : workflow;
                outcome = tag.Key == "outcome" ? tag.Value as string : outcome;
            }

            if (workflow == Workflow && outcome is not null)
            {
                outcomes.AddOrUpdate((instrument.Meter.Scope, outcome), (int)value, (_, n) => n + (int)value);
            }
        });
        listener.Start();

        var replicas = new CronHost?[3];
        var scopes = new List<(object Scope, string Name)>();
        try
        {
            for (var i = 0; i < replicas.Length; i++)
            {
                replicas[i] = await StartReplicaAsync();
                scopes.Add((replicas[i]!.Services.GetRequiredService<IMeterFactory>(), $"r{i + 1}"));
            }

            var expected = new List<string>();
            var delays = new List<(string Slot, TimeSpan RealDelay, TimeSpan ClockDelay)>();
            Task<CronHost>? restarting = null;
            var restarts = 0;
            async Task CollectRestartAsync()
            {
                replicas[1] = await restarting!;
                scopes.Add((replicas[1]!.Services.GetRequiredService<IMeterFactory>(), $"r2 after restart {++restarts}"));
                restarting = null;
            }

            for (var n = 0; n < SlotCount; n++)
            {
                // Replica r2 stops before slots 15 and 40 and comes back 5 slots later, starting while slots keep firing.
                if (n is 15 or 40)
                {
                    await replicas[1]!.DisposeAsync();
                    replicas[1] = null;
                }
                else if (n is 20 or 45)
                {
                    restarting = Task.Run(StartReplicaAsync, Ct);
                }
                else if (restarting is { IsCompleted: true })
                {
                    await CollectRestartAsync();
                }

                var slot = At("2026-03-29T00:30:00Z").AddMinutes(n);
                var tickId = "tick-heartbeat/beat-" + slot.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture);
                expected.Add(tickId);
                clock.SetUtcNow(slot);
                var stopwatch = Stopwatch.StartNew();
                var run = await WaitForRunAsync(database.ConnectionString, clock, tickId);
                delays.Add((tickId, stopwatch.Elapsed, DateTimeOffset.FromUnixTimeMilliseconds(run.CreatedAt) - slot));
            }

            if (restarting is not null)
            {
                await CollectRestartAsync();
            }

            Assert.Equal(2, restarts);

            // Every slot has exactly one run, and there is no run for any other tick.
            await using var db = Open(database.ConnectionString);
            var counts = await db.Runs.AsNoTracking().Where(r => r.Workflow == Workflow)
                .GroupBy(r => r.EventId).Select(g => new { EventId = g.Key, Count = g.Count() })
                .ToListAsync(Ct);
            var duplicates = counts.Sum(c => c.Count - 1);
            var started = outcomes.Where(o => o.Key.Outcome == "started").Sum(o => o.Value);
            var lost = outcomes.Where(o => o.Key.Outcome == "duplicate").Sum(o => o.Value);
            var worst = delays.MaxBy(d => d.RealDelay);
            output.WriteLine($"slots: {SlotCount}, runs: {counts.Sum(c => c.Count)}, distinct ticks: {counts.Count}, duplicates: {duplicates}");
            output.WriteLine($"largest firing delay: {worst.RealDelay.TotalMilliseconds:0} ms real time (slot {worst.Slot}); largest on the replica clock: {delays.Max(d => d.ClockDelay).TotalMilliseconds:0} ms; median real: {delays.Select(d => d.RealDelay.TotalMilliseconds).Order().ElementAt(delays.Count / 2):0} ms");
            output.WriteLine($"fire attempts: {started} started a run, {lost} found the slot already fired (lost the race)");
            foreach (var (scope, name) in scopes)
            {
                output.WriteLine($"  {name}: started {outcomes.GetValueOrDefault((scope, "started"))}, lost {outcomes.GetValueOrDefault((scope, "duplicate"))}");
            }

            Assert.Equal(expected.Order(StringComparer.Ordinal), counts.Select(c => c.EventId).Order(StringComparer.Ordinal));
            Assert.All(counts, c => Assert.Equal(1, c.Count));
            Assert.Equal(0, duplicates);
            Assert.Equal(SlotCount, started);

            // Each tick's last_run is the slot before it: no slot was skipped by the replica that fired the next one.
            var runs = await db.Runs.AsNoTracking().Where(r => r.Workflow == Workflow).OrderBy(r => r.EventId).ToListAsync(Ct);
            for (var i = 1; i < runs.Count; i++)
            {
                Assert.Contains($"\"last_run\":\"{runs[i - 1].EventId["tick-heartbeat/beat-".Length..]}\"", runs[i].EventFields, StringComparison.Ordinal);
            }
        }
        finally
        {
            foreach (var replica in replicas)
            {
                if (replica is not null)
                {
                    await replica.DisposeAsync();
                }
            }

            TryDelete(dataDirectory);
            TryDelete(projectRoot);
        }
    }

    private static DateTimeOffset At(string text) =>
        DateTimeOffset.Parse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal);

    private static RuntimeDbContext Open(string connectionString) =>
        new(new DbContextOptionsBuilder<RuntimeDbContext>().UseNpgsql(connectionString).Options);

    /// <summary>
    /// Waits for the tick's run. A replica that was mid-pass when the clock moved sleeps on the fake clock until
    /// its next poll, so the clock is nudged by 100 ms while waiting (the replica clock delay measures that).
    /// </summary>
    private static async Task<RunRecord> WaitForRunAsync(string connectionString, FakeTimeProvider clock, string tickId) =>
        await Wait.ForAsync(async () =>
        {
            await using var db = Open(connectionString);
            var run = await db.Runs.AsNoTracking().SingleOrDefaultAsync(r => r.Workflow == Workflow && r.EventId == tickId, Ct);
            if (run is null)
            {
                clock.Advance(TimeSpan.FromMilliseconds(100));
            }

            return run;
        }, TimeSpan.FromSeconds(60), $"the run of {tickId}", Ct);

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
