using System.Text.Json;
using Loopy.Runtime.State;
using Loopy.Testing;
using Microsoft.EntityFrameworkCore;

namespace Loopy.Runtime.Tests;

/// <summary>Two real Runtime processes on Postgres + RabbitMQ: crash takeover, and many events without duplicates.</summary>
[Collection(RealServers.Name)]
public sealed class ReplicaProcessTests() : RuntimeProcessTestBase("rp")
{
    [Fact]
    public async Task Killing_a_replica_mid_step_lets_the_other_finish_the_run_with_no_duplicate_side_effect()
    {
        var (a, b) = await StartTwoAsync();

        await Bus.PublishAsync(RuntimeFixture.Event("Slow", new { n = "crash" }), Ct);

        await using var db = OpenDb();
        var claimed = await Wait.ForAsync(() => db.Steps.AsNoTracking().FirstOrDefaultAsync(s => s.StepId == "slow/long" && s.Status == StepStatus.Running, Ct),
            TimeSpan.FromSeconds(60), "the slow step claimed", Ct);
        var key = $"{claimed.RunId}:slow/long";
        var log = Path.Combine(ProjectRoot, "out", "side-effects.log");
        await Wait.UntilAsync(() => Task.FromResult(File.Exists(log) && File.ReadAllLines(log).Contains($"started {key} attempt 1")),
            TimeSpan.FromSeconds(30), "the agent's first attempt under way", Ct);
        var victim = claimed.LeaseOwner == a.ReplicaId ? a : b;
        var survivor = victim == a ? b : a;
        victim.KillHard();

        var run = await Wait.ForAsync(() => db.Runs.AsNoTracking().FirstOrDefaultAsync(r => r.Id == claimed.RunId && r.Status != RunStatus.Running, Ct),
            TimeSpan.FromSeconds(90), "the run finished by the surviving replica", Ct);
        Assert.Equal(RunStatus.Completed, run.Status);

        var lines = await File.ReadAllLinesAsync(log, Ct);
        Assert.Contains($"started {key} attempt 1", lines);
        Assert.Contains($"started {key} attempt 2", lines);
        Assert.Single(lines, l => l == $"completed {key}");

        var steps = await db.Steps.AsNoTracking().Where(s => s.RunId == run.Id).ToListAsync(Ct);
        var slow = Assert.Single(steps, s => s.StepId == "slow/long");
        Assert.Equal(2, slow.Attempt);
        Assert.All(steps, s => Assert.Equal(StepStatus.Completed, s.Status));
        var history = await db.History.AsNoTracking().Where(h => h.RunId == run.Id).OrderBy(h => h.Id).ToListAsync(Ct);
        var completions = history.Where(h => h.Kind == HistoryKind.StepCompleted).GroupBy(h => h.StepId).ToList();
        Assert.Equal(2, completions.Count);
        Assert.All(completions, g => Assert.Single(g));
        var starts = history.Where(h => h.Kind == HistoryKind.StepStarted && h.StepId == "slow/long")
            .Select(h => JsonDocument.Parse(h.Payload).RootElement.GetProperty("worker").GetString()).ToList();
        Assert.Equal([victim.ReplicaId, survivor.ReplicaId], starts);
    }

    [Fact]
    public async Task A_thousand_events_through_twoReplicas_make_a_thousand_runs_without_duplicates_all_terminal()
    {
        await StartTwoAsync();
        const int count = 1000;
        var ids = Enumerable.Range(0, count).Select(i => $"noop-{i}-{Guid.NewGuid():N}").ToList();

        foreach (var batch in ids.Chunk(50))
        {
            await Task.WhenAll(batch.Select(id => Bus.PublishAsync(RuntimeFixture.Event("Noop", new { n = id }, id), Ct)));
        }

        // Every event is published twice (a redelivery storm) and must still make exactly one run.
        foreach (var batch in ids.Take(200).Chunk(50))
        {
            await Task.WhenAll(batch.Select(id => Bus.PublishAsync(RuntimeFixture.Event("Noop", new { n = id }, id), Ct)));
        }

        await using var db = OpenDb();
        await Wait.UntilAsync(async () => await db.Runs.CountAsync(r => r.Workflow == "noop" && r.Status == RunStatus.Completed, Ct) == count,
            TimeSpan.FromSeconds(240), $"{count} completed runs", Ct);
        Assert.Equal(count, await db.Runs.CountAsync(r => r.Workflow == "noop", Ct));
        Assert.Equal(count, await db.Runs.Where(r => r.Workflow == "noop").Select(r => r.EventId).Distinct().CountAsync(Ct));
        var completedTwice = await db.History.Where(h => h.Kind == HistoryKind.StepCompleted).GroupBy(h => h.RunId).CountAsync(g => g.Count() > 1, Ct);
        Assert.Equal(0, completedTwice);
        var byWorker = await db.History.Where(h => h.Kind == HistoryKind.StepStarted).Select(h => h.Payload).ToListAsync(Ct);
        var workers = byWorker.Select(p => JsonDocument.Parse(p).RootElement.GetProperty("worker").GetString()).Distinct().Count();
        Assert.Equal(2, workers);
    }

    [Fact]
    public async Task A_retry_backoff_is_durable_and_survives_the_replica_that_scheduled_it()
    {
        var settings = Settings();
        settings["Loopy:Runtime:RetryBaseDelay"] = "00:00:04";
        var first = RuntimeProcess.Start("replica-first", settings);
        Replicas.Add(first);
        await first.WaitReadyAsync(TimeSpan.FromSeconds(60), Ct);

        await Bus.PublishAsync(RuntimeFixture.Event("Flaky", new { n = "durable" }), Ct);

        await using var db = OpenDb();
        var retrying = await Wait.ForAsync(() => db.History.AsNoTracking().FirstOrDefaultAsync(h => h.Kind == HistoryKind.StepRetrying, Ct),
            TimeSpan.FromSeconds(60), "the first failure", Ct);
        var scheduled = await db.Steps.AsNoTracking().SingleAsync(s => s.RunId == retrying.RunId, Ct);
        Assert.True(scheduled.NextAttemptAt >= retrying.At + 3200, "the backoff (4 s -20 %) is recorded in the store");
        first.KillHard();

        var second = RuntimeProcess.Start("replica-second", settings);
        Replicas.Add(second);
        var run = await Wait.ForAsync(() => db.Runs.AsNoTracking().FirstOrDefaultAsync(r => r.Id == retrying.RunId && r.Status != RunStatus.Running, Ct),
            TimeSpan.FromSeconds(90), "the run finished by the new replica", Ct);

        Assert.Equal(RunStatus.Completed, run.Status);
        var starts = await db.History.AsNoTracking().Where(h => h.RunId == run.Id && h.Kind == HistoryKind.StepStarted).OrderBy(h => h.Id).ToListAsync(Ct);
        Assert.Equal(3, starts.Count);
        var backoffEnd = retrying.At + (long)(JsonDocument.Parse(retrying.Payload).RootElement.GetProperty("delay_s").GetDouble() * 1000) - 1;
        Assert.True(starts[1].At >= backoffEnd, $"attempt 2 started at {starts[1].At}, before its durable backoff ended at {backoffEnd}");
        Assert.Contains(starts, h => h.Payload.Contains("replica-second", StringComparison.Ordinal));
    }

    private async Task<(RuntimeProcess A, RuntimeProcess B)> StartTwoAsync()
    {
        var settings = Settings();
        var a = RuntimeProcess.Start("replica-a", settings);
        Replicas.Add(a);
        var b = RuntimeProcess.Start("replica-b", settings);
        Replicas.Add(b);
        await a.WaitReadyAsync(TimeSpan.FromSeconds(60), Ct);
        await b.WaitReadyAsync(TimeSpan.FromSeconds(60), Ct);
        return (a, b);
    }

    private Dictionary<string, string?> Settings()
    {
        var settings = RuntimeFixture.DefaultSettings(ProjectRoot);
        settings["ConnectionStrings:postgres"] = Database.ConnectionString;
        settings["ConnectionStrings:rabbitmq"] = TestServers.RabbitMq;
        settings["Loopy:Bus:EntityPrefix"] = Prefix;
        return settings;
    }

    private RuntimeDbContext OpenDb() =>
        new(new DbContextOptionsBuilder<RuntimeDbContext>().UseNpgsql(Database.ConnectionString).Options);
}
