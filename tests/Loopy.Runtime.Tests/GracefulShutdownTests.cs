using System.Net;
using System.Text.Json;
using Loopy.Runtime.State;
using Loopy.Testing;
using Microsoft.EntityFrameworkCore;

namespace Loopy.Runtime.Tests;

/// <summary>
/// SIGTERM to a real Runtime process that holds a running step, beside a second replica: within the drain period the
/// step is finished by the replica that holds it; past it, its lease is released and the other replica takes it over
/// at once. Either way the step completes once and its agent's side effect happens once.
/// </summary>
[Collection(RealServers.Name)]
public sealed class GracefulShutdownTests() : RuntimeProcessTestBase("gs")
{
    private const string Step = "slow/long";

    [Fact]
    public async Task Within_the_drain_period_the_terminated_replica_finishes_its_step_reports_draining_and_claims_nothing_more()
    {
        // The agent takes 6 s; the drain period is 60 s - 5 s.
        SlowAgentSleeps(6);
        var (victim, survivor, key, claimed) = await StartStepAndFindHolderAsync(shutdownTimeoutSeconds: 60, leaseDuration: "00:00:03");
        using var http = new HttpClient { BaseAddress = victim.Url };
        using (var healthy = await http.GetAsync(new Uri("/health", UriKind.Relative), Ct))
        {
            Assert.Equal(HttpStatusCode.OK, healthy.StatusCode);
        }

        victim.Terminate();

        // While it drains it still answers, but readiness says it is going away.
        await Wait.UntilAsync(async () =>
        {
            using var health = await http.GetAsync(new Uri("/health", UriKind.Relative), Ct);
            return health.StatusCode == HttpStatusCode.ServiceUnavailable && (await health.Content.ReadAsStringAsync(Ct)).Contains("draining", StringComparison.Ordinal);
        }, TimeSpan.FromSeconds(5), "/health unhealthy while draining", Ct);
        await victim.WaitForExitAsync(TimeSpan.FromSeconds(60), Ct);
        Assert.Equal(0, victim.ExitCode);

        await using var db = OpenDb();
        var run = await Wait.ForAsync(() => db.Runs.AsNoTracking().FirstOrDefaultAsync(r => r.Id == claimed.RunId && r.Status != RunStatus.Running, Ct),
            TimeSpan.FromSeconds(60), "the run finished", Ct);
        Assert.Equal(RunStatus.Completed, run.Status);

        var lines = await File.ReadAllLinesAsync(SideEffectsLog, Ct);
        Assert.Single(lines, l => l.StartsWith($"started {key} ", StringComparison.Ordinal));
        Assert.Single(lines, l => l == $"completed {key}");
        var history = await HistoryAsync(db, run.Id);
        Assert.Equal([victim.ReplicaId], Workers(history, HistoryKind.StepStarted, Step));
        Assert.Equal([survivor.ReplicaId], Workers(history, HistoryKind.StepStarted, "slow/finish"));
        Assert.All(history.Where(h => h.Kind == HistoryKind.StepCompleted).GroupBy(h => h.StepId), g => Assert.Single(g));
        Assert.Contains("claiming no more steps", victim.Output, StringComparison.Ordinal);
        Assert.DoesNotContain("releasing the leases", victim.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Past_the_drain_period_the_running_step_is_released_and_the_other_replica_takes_it_before_its_lease_would_expire()
    {
        // The agent would take 10 s; the drain period is 6 s - 5 s; the lease lasts 60 s, so only a release lets
        // the other replica start the step before the victim's lease would have expired.
        SlowAgentSleeps(10);
        var lease = TimeSpan.FromSeconds(60);
        var (victim, survivor, key, claimed) = await StartStepAndFindHolderAsync(shutdownTimeoutSeconds: 6, leaseDuration: "00:01:00");

        victim.Terminate();
        await victim.WaitForExitAsync(TimeSpan.FromSeconds(30), Ct);
        Assert.Equal(0, victim.ExitCode);
        Assert.Contains("releasing the leases of 1 running steps", victim.Output, StringComparison.Ordinal);

        await using var db = OpenDb();
        var run = await Wait.ForAsync(() => db.Runs.AsNoTracking().FirstOrDefaultAsync(r => r.Id == claimed.RunId && r.Status != RunStatus.Running, Ct),
            TimeSpan.FromSeconds(90), "the run finished by the other replica", Ct);
        Assert.Equal(RunStatus.Completed, run.Status);

        var history = await HistoryAsync(db, run.Id);
        var starts = history.Where(h => h.Kind == HistoryKind.StepStarted && h.StepId == Step).ToList();
        Assert.Equal([victim.ReplicaId, survivor.ReplicaId], Workers(history, HistoryKind.StepStarted, Step));
        Assert.True(starts[1].At < starts[0].At + (long)lease.TotalMilliseconds,
            "the step was taken over only after the victim's lease expired: it was not released");
        Assert.Single(history, h => h.Kind == HistoryKind.StepCompleted && h.StepId == Step);

        // The interrupted attempt was handed back (not counted as a failure); its agent never got to its side effect.
        var lines = await File.ReadAllLinesAsync(SideEffectsLog, Ct);
        Assert.Equal(2, lines.Count(l => l == $"started {key} attempt 1"));
        Assert.Single(lines, l => l == $"completed {key}");
        var step = await db.Steps.AsNoTracking().SingleAsync(s => s.RunId == run.Id && s.StepId == Step, Ct);
        Assert.Equal(1, step.Attempt);
    }

    private string SideEffectsLog => Path.Combine(ProjectRoot, "out", "side-effects.log");

    /// <summary>Rewrites the scenario project's slow agent to sleep <paramref name="seconds"/> (the harness clears the environment).</summary>
    private void SlowAgentSleeps(int seconds)
    {
        var script = Path.Combine(ProjectRoot, "scripts", "slow.sh");
        File.WriteAllText(script, File.ReadAllText(script).Replace("${SLOW_SECONDS:-4}", seconds.ToString(System.Globalization.CultureInfo.InvariantCulture), StringComparison.Ordinal));
    }

    /// <summary>Starts two replicas, publishes a Slow event and waits until one of them runs the slow step's agent.</summary>
    private async Task<(RuntimeProcess Victim, RuntimeProcess Survivor, string Key, StepRecord Claimed)> StartStepAndFindHolderAsync(int shutdownTimeoutSeconds, string leaseDuration)
    {
        var settings = RuntimeFixture.DefaultSettings(ProjectRoot);
        settings["ConnectionStrings:postgres"] = Database.ConnectionString;
        settings["ConnectionStrings:rabbitmq"] = TestServers.RabbitMq;
        settings["Loopy:Bus:EntityPrefix"] = Prefix;
        settings["Loopy:Runtime:LeaseDuration"] = leaseDuration;
        settings["shutdownTimeoutSeconds"] = shutdownTimeoutSeconds.ToString(System.Globalization.CultureInfo.InvariantCulture);
        var a = RuntimeProcess.Start("replica-a", settings);
        Replicas.Add(a);
        var b = RuntimeProcess.Start("replica-b", settings);
        Replicas.Add(b);
        await a.WaitReadyAsync(TimeSpan.FromSeconds(60), Ct);
        await b.WaitReadyAsync(TimeSpan.FromSeconds(60), Ct);

        await Bus.PublishAsync(RuntimeFixture.Event("Slow", new { n = "shutdown" }), Ct);
        await using var db = OpenDb();
        var claimed = await Wait.ForAsync(() => db.Steps.AsNoTracking().FirstOrDefaultAsync(s => s.StepId == Step && s.Status == StepStatus.Running, Ct),
            TimeSpan.FromSeconds(60), "the slow step claimed", Ct);
        var key = $"{claimed.RunId}:{Step}";
        await Wait.UntilAsync(() => Task.FromResult(File.Exists(SideEffectsLog) && File.ReadAllLines(SideEffectsLog).Contains($"started {key} attempt 1")),
            TimeSpan.FromSeconds(30), "the agent under way", Ct);
        var victim = claimed.LeaseOwner == a.ReplicaId ? a : b;
        Assert.NotNull(victim.Url);
        return (victim, victim == a ? b : a, key, claimed);
    }

    private static async Task<List<HistoryRecord>> HistoryAsync(RuntimeDbContext db, string runId) =>
        await db.History.AsNoTracking().Where(h => h.RunId == runId).OrderBy(h => h.Id).ToListAsync(Ct);

    private static List<string?> Workers(List<HistoryRecord> history, string kind, string stepId) =>
        history.Where(h => h.Kind == kind && h.StepId == stepId)
            .Select(h => JsonDocument.Parse(h.Payload).RootElement.GetProperty("worker").GetString()).ToList();

    private RuntimeDbContext OpenDb() =>
        new(new DbContextOptionsBuilder<RuntimeDbContext>().UseNpgsql(Database.ConnectionString).Options);
}
