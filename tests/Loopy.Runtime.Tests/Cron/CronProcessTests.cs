using Loopy.Runtime.Cron;
using Loopy.Runtime.State;
using Loopy.Testing;
using Microsoft.EntityFrameworkCore;

namespace Loopy.Runtime.Tests.Cron;

/// <summary>
/// Exactly once over real time with real processes: three Runtime replicas on one Postgres database and a per-minute
/// schedule (the cron format has five fields, so a minute is the shortest slot). One replica is killed with SIGKILL
/// just before the slot and restarted while it comes due; the replica that fired it is killed with SIGKILL right
/// after and restarted. The slot fires exactly once, and neither restarted replica fires it again or catches up a
/// slot that was never missed.
/// </summary>
[Collection(RealServers.Name)]
public sealed class CronProcessTests(ITestOutputHelper output) : IAsyncLifetime
{
    private const string Workflow = "heartbeat";
    private readonly List<RuntimeProcess> _replicas = [];
    private TestDatabase? _database;
    private string _projectRoot = string.Empty;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public async ValueTask InitializeAsync()
    {
        _database = await TestDatabase.CreateAsync(TestServers.Postgres, Ct);
        _projectRoot = CronProject.Create(Workflow, "beat", "cron(\"* * * * *\")");
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var replica in _replicas)
        {
            await replica.DisposeAsync();
        }

        if (_database is not null)
        {
            await _database.DisposeAsync();
        }
    }

    [Fact]
    public async Task A_minute_slot_fires_once_across_three_replicas_while_one_is_killed_before_it_and_the_firing_one_right_after()
    {
        var settings = RuntimeFixture.DefaultSettings(_projectRoot);
        settings["ConnectionStrings:postgres"] = _database!.ConnectionString;
        settings["ConnectionStrings:rabbitmq"] = TestServers.RabbitMq;
        settings["Loopy:Bus:EntityPrefix"] = $"cp{Guid.NewGuid():N}"[..14];
        settings["Loopy:Runtime:CronPollInterval"] = "00:00:00.250";
        var generation = 0;
        async Task<RuntimeProcess> StartAsync(string name)
        {
            var replica = RuntimeProcess.Start($"{name}-{++generation}", settings);
            _replicas.Add(replica);
            await replica.WaitReadyAsync(TimeSpan.FromSeconds(60), Ct);
            return replica;
        }

        var first = await Task.WhenAll(StartAsync("r1"), StartAsync("r2"), StartAsync("r3"));

        // The slot: the first minute boundary at least 5 s away (at most ~65 s of waiting).
        var now = TimeProvider.System.GetUtcNow();
        var slot = new DateTimeOffset(now.Year, now.Month, now.Day, now.Hour, now.Minute, 0, TimeSpan.Zero).AddMinutes(1);
        if (slot - now < TimeSpan.FromSeconds(5))
        {
            slot = slot.AddMinutes(1);
        }

        // 2 s before the slot, r1 dies without a shutdown and is restarted: it comes back while the slot is due.
        await Loopy.Testing.Wait.UntilAsync(() => TimeProvider.System.GetUtcNow() >= slot.AddSeconds(-2), TimeSpan.FromSeconds(70), Ct);
        first[0].KillHard();
        var restartedBefore = StartAsync("r1");

        var tickId = CronTick.Id("heartbeat/beat", slot);
        // The slot's own firing line: when the slot was moved a minute on, the boundary before it fires too.
        var firedLine = $"Cron tick {tickId} of {Workflow} started run";
        await using var db = Open();
        await Wait.ForAsync(() => db.Runs.AsNoTracking().FirstOrDefaultAsync(r => r.Workflow == Workflow && r.EventId == tickId, Ct),
            TimeSpan.FromSeconds(30), $"the run of {tickId}", Ct);
        var r1 = await restartedBefore;

        // The replica that fired the slot dies right after and is restarted. Its log line arrives through a pipe and
        // may trail the committed run by a moment: wait for it before choosing.
        await Loopy.Testing.Wait.UntilAsync(() => _replicas.Any(r => r.Output.Contains(firedLine, StringComparison.Ordinal)), TimeSpan.FromSeconds(10), Ct);
        var firing = _replicas.Single(r => r.Output.Contains(firedLine, StringComparison.Ordinal));
        firing.KillHard();
        var restartedAfter = await StartAsync(firing.ReplicaId.Split('-')[0]);

        // Both restarted replicas have made passes over the due slot (their scheduler logs its first pass; 4 more follow within a second).
        foreach (var replica in new[] { r1, restartedAfter })
        {
            await Loopy.Testing.Wait.UntilAsync(() => replica.Output.Contains("Cron scheduler serving", StringComparison.Ordinal), TimeSpan.FromSeconds(30), Ct);
        }

        var settled = TimeProvider.System.GetUtcNow().AddSeconds(2);
        await Loopy.Testing.Wait.UntilAsync(() => TimeProvider.System.GetUtcNow() >= settled, TimeSpan.FromSeconds(10), Ct);

        var runs = await db.Runs.AsNoTracking().Where(r => r.Workflow == Workflow && r.EventId == tickId).ToListAsync(Ct);
        var fired = _replicas.Sum(r => r.Output.Split('\n').Count(l => l.Contains(firedLine, StringComparison.Ordinal)));
        var delay = System.Text.RegularExpressions.Regex.Match(firing.Output, @"started run \S+ \((?<ms>\d+) ms after its slot\)").Groups["ms"].Value;
        output.WriteLine($"slot {tickId}: {runs.Count} run(s), {fired} firing(s), fired {delay} ms after the slot by {firing.ReplicaId}; "
            + $"replicas: {string.Join(", ", _replicas.Select(r => r.ReplicaId))}");
        var run = Assert.Single(runs);
        Assert.Equal(tickId, run.EventId);
        Assert.Equal(1, fired);
        Assert.Contains($"\"scheduled_at\":\"{CronTick.Format(slot)}\"", run.EventFields, StringComparison.Ordinal);
        Assert.Contains($"\"last_run\":\"{CronTick.Format(slot.AddMinutes(-1))}\"", run.EventFields, StringComparison.Ordinal);
        Assert.All(_replicas, r => Assert.DoesNotContain("missed", r.Output, StringComparison.Ordinal));
    }

    private RuntimeDbContext Open() =>
        new(new DbContextOptionsBuilder<RuntimeDbContext>().UseNpgsql(_database!.ConnectionString).Options);
}
