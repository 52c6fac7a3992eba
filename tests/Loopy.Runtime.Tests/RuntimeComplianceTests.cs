using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Loopy.Bus;
using Loopy.Runtime.Engine;
using Loopy.Runtime.State;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace Loopy.Runtime.Tests;

/// <summary>
/// The Runtime's behaviour, run against each store and bus pairing: SQLite + in-process (standalone)
/// and Postgres + RabbitMQ (distributed). Agents are exec-harness shell scripts.
/// </summary>
public abstract class RuntimeComplianceTests : IAsyncDisposable
{
    private readonly List<RuntimeFixture> _fixtures = [];

    protected static CancellationToken Ct => TestContext.Current.CancellationToken;

    protected abstract Task<RuntimeFixture> CreateFixtureAsync(string projectRoot, IDictionary<string, string?>? settings = null);

    private async Task<RuntimeFixture> StartAsync(string projectRoot, IDictionary<string, string?>? settings = null)
    {
        var fixture = await CreateFixtureAsync(projectRoot, settings);
        _fixtures.Add(fixture);
        return fixture;
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var fixture in _fixtures)
        {
            await fixture.DisposeAsync();
        }

        GC.SuppressFinalize(this);
    }

    private static readonly object Incident = new { source = "sentry", service = "checkout", title = "Checkout returns 500s", link = "https://sentry.io/i/1" };

    [Fact]
    public async Task Incident_triage_runs_end_to_end_with_parallel_branches_outputs_in_prompts_and_the_emit_starting_escalate()
    {
        var runtime = await StartAsync(TestProjects.IncidentTriage());

        await runtime.PublishAsync("Incident", Incident, cancellationToken: Ct);

        var triage = await runtime.WaitForTerminalRunAsync("triage", Ct);
        Assert.Equal("completed", triage.GetProperty("status").GetString());
        var steps = triage.GetProperty("steps").EnumerateArray().ToDictionary(s => s.GetProperty("name").GetString()!);
        Assert.Equal(["assess", "deploys", "intake", "logs"], steps.Keys.Order(StringComparer.Ordinal));
        Assert.All(steps.Values, s => Assert.Equal("completed", s.GetProperty("status").GetString()));
        Assert.All(steps.Values, s => Assert.Equal(1, s.GetProperty("attempts").GetInt32()));

        // The two branches after intake ran concurrently: each started before the other finished.
        var logs = Window(steps["logs"]);
        var deploys = Window(steps["deploys"]);
        Assert.True(logs.Start < deploys.End && deploys.Start < logs.End, $"logs {logs} and deploys {deploys} did not overlap");
        Assert.True(Window(steps["intake"]).End <= logs.Start && Window(steps["assess"]).Start >= logs.End, "the DAG order was not kept");

        // Outputs flowed into later prompts; the reply instruction was appended.
        var runId = triage.GetProperty("id").GetString()!;
        var assessPrompt = await File.ReadAllTextAsync(Path.Combine(runtime.ProjectRoot, "out", $"prompt-assess-{runId}.txt"), Ct);
        Assert.StartsWith("Logs: NullReferenceException in PaymentClient (error rate 0.42).\nDeployments: suspect commit abc1234, deployed recently: true.", assessPrompt, StringComparison.Ordinal);
        Assert.Contains("providing \"output\" with keys ['escalate', 'root_cause', 'severity']; \"emits.Escalation\" with keys ['root_cause', 'service', 'severity'] (required when escalate is 'true').", assessPrompt, StringComparison.Ordinal);
        var intakePrompt = await File.ReadAllTextAsync(Path.Combine(runtime.ProjectRoot, "out", $"prompt-intake-{runId}.txt"), Ct);
        Assert.StartsWith("An incident arrived from sentry for service checkout: \"Checkout returns 500s\" (https://sentry.io/i/1).", intakePrompt, StringComparison.Ordinal);
        Assert.Equal(0.42, steps["logs"].GetProperty("output").GetProperty("error_rate").GetDouble());

        // The emitted Escalation started the escalate workflow, one level deeper in the same cascade.
        var escalate = await runtime.WaitForTerminalRunAsync("escalate", Ct);
        Assert.Equal("completed", escalate.GetProperty("status").GetString());
        Assert.Equal($"{runId}:triage/assess:Escalation", escalate.GetProperty("event_id").GetString());
        Assert.Equal(1, escalate.GetProperty("chain_depth").GetInt32());
        Assert.Equal(triage.GetProperty("cascade_id").GetString(), escalate.GetProperty("cascade_id").GetString());
        var pagePrompt = await File.ReadAllTextAsync(Path.Combine(runtime.ProjectRoot, "out", $"prompt-page-{escalate.GetProperty("id").GetString()}.txt"), Ct);
        Assert.StartsWith("Open an escalation ticket for checkout: PaymentClient null config (severity critical).", pagePrompt, StringComparison.Ordinal);

        var history = await runtime.HistoryAsync(runId, Ct);
        var kinds = history.Select(h => h.GetProperty("kind").GetString()).ToList();
        Assert.Equal("run_started", kinds[0]);
        Assert.Equal("run_completed", kinds[^1]);
        Assert.Equal(4, kinds.Count(k => k == "step_completed"));
        var emitted = Assert.Single(history, h => h.GetProperty("kind").GetString() == "event_emitted");
        Assert.Equal($"{runId}:triage/assess:Escalation", emitted.GetProperty("payload").GetProperty("event_id").GetString());
    }

    [Fact]
    public async Task A_redelivered_event_starts_one_run_per_workflow()
    {
        var runtime = await StartAsync(TestProjects.IncidentTriage());
        var id = $"incident-{Guid.NewGuid():N}";

        for (var i = 0; i < 3; i++)
        {
            await runtime.PublishAsync("Incident", Incident, id, Ct);
        }

        var triage = await runtime.WaitForTerminalRunAsync("triage", Ct);
        await runtime.WaitForTerminalRunAsync("escalate", Ct);

        // A delivery of the same event again (as a broker redelivers after a lost ack) starts nothing.
        var intake = runtime.Services.GetRequiredService<RunIntake>();
        var again = await intake.HandleAsync(new BusDelivery(RuntimeFixture.Event("Incident", Incident, id), "triage", 2), Ct);
        Assert.Null(again);
        await runtime.PublishAsync("Incident", Incident, id, Ct);
        var emittedId = $"{triage.GetProperty("id").GetString()}:triage/assess:Escalation";
        await runtime.Services.GetRequiredService<IEventBus>().PublishAsync(
            RuntimeFixture.Event("Escalation", new { service = "checkout", root_cause = "x", severity = "critical" }, emittedId), Ct);

        // Quiescence: a later event's run finished, and the bus delivers each workflow's queue in order per consumer slot.
        await runtime.PublishAsync("Incident", Incident, $"later-{Guid.NewGuid():N}", Ct);
        await Wait.UntilAsync(async () => (await runtime.RunsAsync("triage", Ct)).Count(r => r.GetProperty("status").GetString() == "completed") == 2,
            TimeSpan.FromSeconds(60), "the later run", Ct);
        await using var db = await runtime.OpenDbAsync(Ct);
        Assert.Equal(1, await db.Runs.CountAsync(r => r.EventId == id && r.Workflow == "triage", Ct));
        Assert.Equal(1, await db.Runs.CountAsync(r => r.EventId == emittedId && r.Workflow == "escalate", Ct));
    }

    [Fact]
    public async Task Trigger_filters_must_all_match_to_start_a_run()
    {
        var runtime = await StartAsync(TestProjects.IncidentTriage());
        var intake = runtime.Services.GetRequiredService<RunIntake>();

        var low = await intake.HandleAsync(new BusDelivery(RuntimeFixture.Event("Escalation", new { service = "s", root_cause = "r", severity = "low" }), "escalate", 1), Ct);
        var critical = await intake.HandleAsync(new BusDelivery(RuntimeFixture.Event("Escalation", new { service = "s", root_cause = "r", severity = "critical" }), "escalate", 1), Ct);
        var wrongEvent = await intake.HandleAsync(new BusDelivery(RuntimeFixture.Event("Incident", Incident), "escalate", 1), Ct);

        Assert.Null(low);
        Assert.Null(wrongEvent);
        Assert.StartsWith("escalate-", critical, StringComparison.Ordinal);
        Assert.Matches("^escalate-[0-9a-f]{32}$", critical);
        var run = await runtime.WaitForTerminalRunAsync("escalate", Ct);
        Assert.Equal(critical, run.GetProperty("id").GetString());
    }

    [Fact]
    public async Task A_step_that_fails_twice_then_succeeds_has_three_attempts_in_history_and_the_run_succeeds()
    {
        var runtime = await StartAsync(TestProjects.Scenarios());

        await runtime.PublishAsync("Flaky", new { n = "1" }, cancellationToken: Ct);

        var run = await runtime.WaitForTerminalRunAsync("flaky", Ct);
        Assert.Equal("completed", run.GetProperty("status").GetString());
        var step = Assert.Single(run.GetProperty("steps").EnumerateArray());
        Assert.Equal(3, step.GetProperty("attempts").GetInt32());
        var history = await runtime.HistoryAsync(run.GetProperty("id").GetString()!, Ct);
        Assert.Equal([1, 2, 3], OfKind(history, "step_started").Select(h => h.GetProperty("payload").GetProperty("attempt").GetInt32()));
        var retries = OfKind(history, "step_retrying").ToList();
        Assert.Equal(2, retries.Count);
        Assert.Contains("flaky attempt 1 fails", retries[0].GetProperty("payload").GetProperty("error").GetString(), StringComparison.Ordinal);
        Assert.Single(OfKind(history, "step_completed"));
    }

    [Fact]
    public async Task A_step_that_always_fails_fails_the_run_skips_dependents_and_a_rerun_after_the_fix_keeps_completed_steps()
    {
        var runtime = await StartAsync(TestProjects.Scenarios());
        await runtime.PublishAsync("Fragile", new { n = "1" }, cancellationToken: Ct);

        var failed = await runtime.WaitForTerminalRunAsync("fragile", Ct);
        var runId = failed.GetProperty("id").GetString()!;
        Assert.Equal("failed", failed.GetProperty("status").GetString());
        Assert.Equal("break", failed.GetProperty("failed_step").GetString());
        var steps = Steps(failed);
        Assert.Equal("completed", steps["prepare"].GetProperty("status").GetString());
        Assert.Equal("failed", steps["break"].GetProperty("status").GetString());
        Assert.Equal(3, steps["break"].GetProperty("attempts").GetInt32());
        Assert.Contains("exited with code 3: fragile is broken", steps["break"].GetProperty("error").GetString(), StringComparison.Ordinal);
        Assert.Equal("skipped", steps["report"].GetProperty("status").GetString());
        var history = await runtime.HistoryAsync(runId, Ct);
        Assert.Equal("run_failed", history[^1].GetProperty("kind").GetString());

        using var client = runtime.CreateClient();
        var failedRuns = await client.GetFromJsonAsync<JsonElement>("/runs?workflow=fragile&status=failed", Ct);
        Assert.Equal(runId, Assert.Single(failedRuns.EnumerateArray()).GetProperty("id").GetString());
        Assert.Empty((await client.GetFromJsonAsync<JsonElement>("/runs?workflow=fragile&status=completed", Ct)).EnumerateArray());
        using (var notFailed = await client.PostAsync(new Uri("/runs/nope/rerun", UriKind.Relative), null, Ct))
        {
            Assert.Equal(HttpStatusCode.NotFound, notFailed.StatusCode);
            Assert.Equal("application/problem+json", notFailed.Content.Headers.ContentType?.MediaType);
        }

        await File.WriteAllTextAsync(Path.Combine(runtime.ProjectRoot, "fixed.marker"), "fixed", Ct);
        using (var rerun = await client.PostAsync(new Uri($"/runs/{runId}/rerun", UriKind.Relative), null, Ct))
        {
            Assert.Equal(HttpStatusCode.Accepted, rerun.StatusCode);
        }

        var completed = await Wait.ForAsync<object>(async () =>
        {
            var run = await runtime.RunAsync(runId, Ct);
            return run.GetProperty("status").GetString() == "completed" ? run : null;
        }, TimeSpan.FromSeconds(60), "the rerun", Ct);
        steps = Steps((JsonElement)completed);
        Assert.All(steps.Values, s => Assert.Equal("completed", s.GetProperty("status").GetString()));
        Assert.Equal(1, steps["break"].GetProperty("attempts").GetInt32());
        history = await runtime.HistoryAsync(runId, Ct);
        Assert.Single(OfKind(history, "step_started"), h => h.GetProperty("step_id").GetString() == "fragile/prepare");
        Assert.Single(OfKind(history, "step_completed"), h => h.GetProperty("step_id").GetString() == "fragile/prepare");
        Assert.Contains(history, h => h.GetProperty("kind").GetString() == "run_rerun");

        using var again = await client.PostAsync(new Uri($"/runs/{runId}/rerun", UriKind.Relative), null, Ct);
        Assert.Equal(HttpStatusCode.Conflict, again.StatusCode);
        var problem = await again.Content.ReadFromJsonAsync<JsonElement>(Ct);
        Assert.Equal("run_state_conflict", problem.GetProperty("code").GetString());
    }

    [Fact]
    public async Task Invalid_output_fails_the_step_with_the_schema_message()
    {
        var runtime = await StartAsync(TestProjects.Scenarios());

        await runtime.PublishAsync("Invalid", new { n = "1" }, cancellationToken: Ct);

        var run = await runtime.WaitForTerminalRunAsync("invalid", Ct);
        Assert.Equal("failed", run.GetProperty("status").GetString());
        var step = Assert.Single(run.GetProperty("steps").EnumerateArray());
        Assert.Equal("output does not match its schema: count: IntegerExpected", step.GetProperty("error").GetString());
        Assert.Equal(3, step.GetProperty("attempts").GetInt32());
        Assert.Contains("count: IntegerExpected", run.GetProperty("error").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_self_triggering_emit_loop_stops_at_the_chain_depth_limit()
    {
        var runtime = await StartAsync(TestProjects.Scenarios());

        await runtime.PublishAsync("Ping", new { n = "first" }, cancellationToken: Ct);

        // Limit 3: runs at depths 0, 1, 2 and 3; the last one's emit is refused.
        var last = await Wait.ForAsync<object>(async () =>
        {
            var runs = await runtime.RunsAsync("loop", Ct);
            return runs.FirstOrDefault(r => r.GetProperty("chain_depth").GetInt32() == 3 && r.GetProperty("status").GetString() == "completed") is { ValueKind: JsonValueKind.Object } found ? found : null;
        }, TimeSpan.FromSeconds(60), "the depth-3 run", Ct);
        var lastId = ((JsonElement)last).GetProperty("id").GetString()!;
        var history = await runtime.HistoryAsync(lastId, Ct);
        var skipped = Assert.Single(OfKind(history, "emit_skipped"));
        Assert.Equal("chain_depth", skipped.GetProperty("payload").GetProperty("reason").GetString());
        Assert.Equal("Ping", skipped.GetProperty("payload").GetProperty("event").GetString());

        await using var db = await runtime.OpenDbAsync(Ct);
        Assert.Equal(0, await db.Outbox.CountAsync(o => o.SentAt == null, Ct));
        var runs = await db.Runs.Where(r => r.Workflow == "loop").ToListAsync(Ct);
        Assert.Equal([0, 1, 2, 3], runs.Select(r => r.ChainDepth).Order());
        Assert.Single(runs.Select(r => r.CascadeId).Distinct());
    }

    [Fact]
    public async Task A_cascade_that_reached_its_run_limit_fails_the_next_run_at_start()
    {
        var runtime = await StartAsync(TestProjects.Scenarios(), new Dictionary<string, string?> { ["Loopy:Runtime:MaxRunsPerCascade"] = "2" });

        await runtime.PublishAsync("Ping", new { n = "first" }, cancellationToken: Ct);

        var refused = await Wait.ForAsync<object>(async () =>
        {
            var runs = await runtime.RunsAsync("loop", Ct);
            return runs.FirstOrDefault(r => r.GetProperty("chain_depth").GetInt32() == 2) is { ValueKind: JsonValueKind.Object } found ? found : null;
        }, TimeSpan.FromSeconds(60), "the third run of the cascade", Ct);
        var run = await runtime.RunAsync(((JsonElement)refused).GetProperty("id").GetString()!, Ct);
        Assert.Equal("failed", run.GetProperty("status").GetString());
        Assert.Equal("cascade exceeded max runs (2)", run.GetProperty("error").GetString());
        Assert.Equal("skipped", Assert.Single(run.GetProperty("steps").EnumerateArray()).GetProperty("status").GetString());
        var history = await runtime.HistoryAsync(run.GetProperty("id").GetString()!, Ct);
        Assert.Equal(["run_started", "run_failed"], history.Select(h => h.GetProperty("kind").GetString()));
        await using var db = await runtime.OpenDbAsync(Ct);
        Assert.Equal(3, await db.Runs.CountAsync(r => r.Workflow == "loop", Ct));
    }

    [Fact]
    public async Task The_wall_clock_budget_kills_the_process_and_fails_the_step_terminally()
    {
        var runtime = await StartAsync(TestProjects.Scenarios());

        await runtime.PublishAsync("Hang", new { n = "1" }, cancellationToken: Ct);

        var run = await runtime.WaitForTerminalRunAsync("hang", Ct, TimeSpan.FromSeconds(20));
        Assert.Equal("failed", run.GetProperty("status").GetString());
        var step = Assert.Single(run.GetProperty("steps").EnumerateArray());
        Assert.Equal(1, step.GetProperty("attempts").GetInt32());
        Assert.Contains("wall-clock budget exceeded", step.GetProperty("error").GetString(), StringComparison.Ordinal);
        var history = await runtime.HistoryAsync(run.GetProperty("id").GetString()!, Ct);
        Assert.True(Assert.Single(OfKind(history, "step_failed")).GetProperty("payload").GetProperty("terminal").GetBoolean());
    }

    [Fact]
    public async Task The_agent_sees_only_its_sandbox_env_and_the_LOOPY_variables()
    {
        var runtime = await StartAsync(TestProjects.Scenarios());

        await runtime.PublishAsync("EnvCheck", new { n = "1" }, "env-event-1", Ct);

        var run = await runtime.WaitForTerminalRunAsync("envcheck", Ct);
        var runId = run.GetProperty("id").GetString()!;
        Assert.Equal("completed", run.GetProperty("status").GetString());
        var env = (await File.ReadAllLinesAsync(Path.Combine(runtime.ProjectRoot, "out", $"env-{runId}.txt"), Ct))
            .Select(l => l.Split('=', 2)).ToDictionary(p => p[0], p => p.Length > 1 ? p[1] : string.Empty);
        Assert.Equal($"{runId}:envcheck/dump", env["LOOPY_IDEMPOTENCY_KEY"]);
        Assert.Equal(runId, env["LOOPY_RUN_ID"]);
        Assert.Equal("envcheck/dump", env["LOOPY_STEP_ID"]);
        Assert.Equal("1", env["LOOPY_ATTEMPT"]);
        Assert.Equal("env-event-1", env["LOOPY_EVENT_ID"]);
        Assert.Equal("script-v1", env["LOOPY_MODEL"]);
        Assert.Equal("/usr/local/bin:/usr/bin:/bin", env["PATH"]);
        string[] shellOwn = ["PWD", "SHLVL", "_", "OLDPWD"];
        Assert.DoesNotContain(env.Keys, k => !k.StartsWith("LOOPY_", StringComparison.Ordinal) && k is not "PATH" and not "HOME" && !shellOwn.Contains(k));
        Assert.DoesNotContain(env.Keys, k => k.StartsWith("LOOPY_TEST_", StringComparison.Ordinal));
        var context = JsonDocument.Parse(await File.ReadAllTextAsync(Path.Combine(runtime.ProjectRoot, "out", $"context-{runId}.json"), Ct)).RootElement;
        Assert.Equal(runId, context.GetProperty("run_id").GetString());
        Assert.Equal("1", context.GetProperty("event").GetProperty("fields").GetProperty("n").GetString());
        Assert.Equal("boolean", context.GetProperty("output_schema").GetProperty("ok").GetProperty("type").GetString());
    }

    [Fact]
    public async Task Cancelling_a_running_run_cancels_its_steps()
    {
        var runtime = await StartAsync(TestProjects.Scenarios());
        await runtime.PublishAsync("Slow", new { n = "1" }, cancellationToken: Ct);
        var running = await Wait.ForAsync<string>(async () =>
        {
            await using var db = await runtime.OpenDbAsync(Ct);
            return await db.Steps.Where(s => s.StepId == "slow/long" && s.Status == StepStatus.Running).Select(s => s.RunId).FirstOrDefaultAsync(Ct);
        }, TimeSpan.FromSeconds(30), "the slow step running", Ct);

        using var client = runtime.CreateClient();
        using var response = await client.PostAsync(new Uri($"/runs/{running}/cancel", UriKind.Relative), null, Ct);

        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        var run = await runtime.RunAsync(running, Ct);
        Assert.Equal("cancelled", run.GetProperty("status").GetString());
        Assert.All(run.GetProperty("steps").EnumerateArray(), s => Assert.Equal("cancelled", s.GetProperty("status").GetString()));
        var history = await runtime.HistoryAsync(running, Ct);
        Assert.Equal("run_cancelled", history[^1].GetProperty("kind").GetString());
    }

    [Fact]
    public async Task A_stale_lease_holder_can_neither_complete_nor_fail_nor_extend_the_step()
    {
        var runtime = await StartAsync(TestProjects.Scenarios());
        await runtime.PublishAsync("Slow", new { n = "1" }, cancellationToken: Ct);
        var held = await Wait.ForAsync(async () =>
        {
            await using var db = await runtime.OpenDbAsync(Ct);
            return await db.Steps.AsNoTracking().FirstOrDefaultAsync(s => s.StepId == "slow/long" && s.Status == StepStatus.Running, Ct);
        }, TimeSpan.FromSeconds(30), "the slow step running", Ct);
        var transitions = runtime.Services.GetRequiredService<StepTransitions>();
        var stale = new ClaimedStep(held.Id, held.RunId, held.Name, held.StepId, held.Attempt, held.Version - 1);
        var current = stale with { Version = held.Version };
        var forged = new StepOutcome("""{"ok":false}""", [], "forged", null, null, null);

        Assert.Null(await transitions.CompleteAsync(stale, held.LeaseOwner!, forged, null, Ct));
        Assert.Null(await transitions.CompleteAsync(current, "intruder", forged, null, Ct));
        Assert.Null(await transitions.FailAsync(stale, held.LeaseOwner!, "forged failure", terminal: true, Ct));
        Assert.False(await transitions.HeartbeatAsync(current, "intruder", Ct));

        var run = await runtime.WaitForTerminalRunAsync("slow", Ct);
        Assert.Equal("completed", run.GetProperty("status").GetString());
        var slow = Steps(run)["long"];
        Assert.True(slow.GetProperty("output").GetProperty("ok").GetBoolean());
        Assert.Equal(1, slow.GetProperty("attempts").GetInt32());
        var history = await runtime.HistoryAsync(held.RunId, Ct);
        Assert.Single(OfKind(history, "step_completed"), h => h.GetProperty("step_id").GetString() == "slow/long");
        Assert.Empty(OfKind(history, "step_failed"));
    }

    [Fact]
    public async Task Run_and_step_spans_continue_the_events_trace()
    {
        var traceId = ActivityTraceId.CreateRandom();
        var spans = new System.Collections.Concurrent.ConcurrentQueue<Activity>();
        using var listener = new ActivityListener
        {
            ShouldListenTo = source => source.Name == RuntimeTelemetry.Name,
            Sample = (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllDataAndRecorded,
            ActivityStopped = activity =>
            {
                if (activity.TraceId == traceId)
                {
                    spans.Enqueue(activity);
                }
            },
        };
        ActivitySource.AddActivityListener(listener);
        var runtime = await StartAsync(TestProjects.Scenarios());
        var message = RuntimeFixture.Event("Noop", new { n = "traced" }) with { TraceParent = $"00-{traceId}-{ActivitySpanId.CreateRandom()}-01" };

        await runtime.Services.GetRequiredService<IEventBus>().PublishAsync(message, Ct);

        var run = await runtime.WaitForTerminalRunAsync("noop", Ct);
        Assert.Equal("completed", run.GetProperty("status").GetString());
        await Wait.UntilAsync(() => Task.FromResult(spans.Any(s => s.DisplayName == "step noop/only")), TimeSpan.FromSeconds(10), "the step span", Ct);
        var runSpan = Assert.Single(spans, s => s.DisplayName == "run noop");
        var stepSpan = Assert.Single(spans, s => s.DisplayName == "step noop/only");
        Assert.Equal(runSpan.SpanId, stepSpan.ParentSpanId);
        Assert.Equal(run.GetProperty("id").GetString(), stepSpan.GetTagItem("loopy.run_id"));
    }

    private static IEnumerable<JsonElement> OfKind(IEnumerable<JsonElement> history, string kind) =>
        history.Where(h => h.GetProperty("kind").GetString() == kind);

    private static Dictionary<string, JsonElement> Steps(JsonElement run) =>
        run.GetProperty("steps").EnumerateArray().ToDictionary(s => s.GetProperty("name").GetString()!);

    private static (DateTimeOffset Start, DateTimeOffset End) Window(JsonElement step) =>
        (step.GetProperty("started_at").GetDateTimeOffset(), step.GetProperty("finished_at").GetDateTimeOffset());
}
