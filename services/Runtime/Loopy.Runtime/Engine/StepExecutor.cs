using System.Diagnostics;
using System.Text.Json;
using System.Text.Json.Nodes;
using Loopy.Runtime.Harness;
using Loopy.Runtime.Manifests;
using Loopy.Runtime.Replies;
using Loopy.Runtime.State;
using Loopy.Runtime.Templates;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Loopy.Runtime.Engine;

/// <summary>
/// Runs one claimed attempt of a step: renders the prompt from the run's event and its upstream outputs,
/// heartbeats the lease while the harness runs the agent, evaluates the reply, and records the outcome
/// through <see cref="StepTransitions"/>. A lost lease cancels the agent (its process tree is killed)
/// and writes nothing.
/// </summary>
public sealed class StepExecutor(
    RuntimeStore store,
    ManifestCatalog catalog,
    StepTransitions transitions,
    IEnumerable<IAgentHarness> harnesses,
    IOptions<RuntimeOptions> options,
    TimeProvider time,
    RuntimeTelemetry telemetry,
    ILogger<StepExecutor> logger)
{
    public async Task ExecuteAsync(ClaimedStep claim, string owner, CancellationToken stopping)
    {
        ArgumentNullException.ThrowIfNull(claim);
        var started = time.GetTimestamp();
        RunRecord run;
        Dictionary<string, string?> upstream;
        double spent;
        SpendLedgers ledgers;
        await using (var db = await store.OpenAsync(stopping).ConfigureAwait(false))
        {
            run = await db.Runs.AsNoTracking().SingleAsync(r => r.Id == claim.RunId, stopping).ConfigureAwait(false);
            upstream = await db.Steps.AsNoTracking()
                .Where(s => s.RunId == claim.RunId && s.Status == StepStatus.Completed)
                .ToDictionaryAsync(s => s.Name, s => s.Output, StringComparer.Ordinal, stopping).ConfigureAwait(false);
            spent = await db.Steps.AsNoTracking().Where(s => s.Id == claim.Id).Select(s => s.CostUsd).SingleAsync(stopping).ConfigureAwait(false) ?? 0;
            ledgers = await SpendLedgers.ReadAsync(db, run, stopping).ConfigureAwait(false);
        }

        var parent = ActivityContext.TryParse(run.TraceParent, null, out var context) ? context : default;
        using var activity = RuntimeTelemetry.ActivitySource.StartActivity($"step {claim.StepId}", ActivityKind.Internal, parent);
        activity?.SetTag("loopy.run_id", claim.RunId);
        activity?.SetTag("loopy.step_id", claim.StepId);
        activity?.SetTag("loopy.attempt", claim.Attempt);
        RuntimeLog.StepStarted(logger, claim.RunId, claim.StepId, claim.Attempt);

        using var lease = CancellationTokenSource.CreateLinkedTokenSource(stopping);
        var leaseLost = false;
        using var heartbeatStop = new CancellationTokenSource();
        var heartbeat = HeartbeatAsync(claim, owner, lease, () => leaseLost = true, heartbeatStop.Token);
        string outcomeName;
        try
        {
            var outcome = await AttemptAsync(claim, run, upstream, spent, ledgers, lease.Token).ConfigureAwait(false);
            await StopAsync(heartbeatStop, heartbeat).ConfigureAwait(false);
            var status = await transitions.CompleteAsync(claim, owner, outcome, activity?.Id, stopping).ConfigureAwait(false);
            outcomeName = status is null ? "lease_lost" : "completed";
            if (status is null)
            {
                RuntimeLog.LeaseLost(logger, claim.RunId, claim.StepId, claim.Attempt);
            }
            else
            {
                RuntimeLog.StepCompleted(logger, claim.RunId, claim.StepId, claim.Attempt);
                LogRunEnd(claim.RunId, status);
            }
        }
        catch (AttemptFailedException ex) when (!leaseLost)
        {
            await StopAsync(heartbeatStop, heartbeat).ConfigureAwait(false);
            outcomeName = ex.Terminal ? "failed" : "retry";
            RuntimeLog.StepFailed(logger, claim.RunId, claim.StepId, claim.Attempt, ex.Terminal, ex.Message);
            activity?.SetStatus(ActivityStatusCode.Error, ex.Message);
            var status = await transitions.FailAsync(claim, owner, ex.Message, ex.Terminal, stopping, ex.CostUsd).ConfigureAwait(false);
            if (status is null)
            {
                RuntimeLog.LeaseLost(logger, claim.RunId, claim.StepId, claim.Attempt);
            }
            else
            {
                LogRunEnd(claim.RunId, status);
            }
        }
        catch (Exception ex) when ((ex is OperationCanceledException || leaseLost) && (leaseLost || stopping.IsCancellationRequested))
        {
            await StopAsync(heartbeatStop, heartbeat).ConfigureAwait(false);
            outcomeName = leaseLost ? "lease_lost" : "interrupted";
            if (leaseLost)
            {
                RuntimeLog.LeaseLost(logger, claim.RunId, claim.StepId, claim.Attempt);
            }
            else
            {
                await transitions.ReleaseAsync(claim, owner, CancellationToken.None).ConfigureAwait(false);
            }
        }

        catch (Exception ex) when (ex is not OperationCanceledException && !leaseLost)
        {
            // A fault of the engine itself (not the agent): counted as a transient failure of the attempt.
            await StopAsync(heartbeatStop, heartbeat).ConfigureAwait(false);
            outcomeName = "retry";
            RuntimeLog.StepFailed(logger, claim.RunId, claim.StepId, claim.Attempt, false, ex.Message);
            await transitions.FailAsync(claim, owner, $"internal error: {ex.Message}", terminal: false, stopping).ConfigureAwait(false);
        }

        telemetry.StepDuration(claim.StepId, outcomeName, time.GetElapsedTime(started));
    }

    private async Task<StepOutcome> AttemptAsync(ClaimedStep claim, RunRecord run, Dictionary<string, string?> upstream, double spent, SpendLedgers ledgers, CancellationToken cancellationToken)
    {
        var settings = options.Value;
        var manifest = await catalog.GetAsync(run.ManifestHash, cancellationToken).ConfigureAwait(false);
        if (claim.Attempt > settings.MaxAttempts)
        {
            throw new AttemptFailedException($"attempt {claim.Attempt} exceeds the {settings.MaxAttempts} allowed (the previous holder of the lease was lost)", terminal: true);
        }

        var workflow = manifest.Workflow(run.Workflow);
        if (workflow is null || !workflow.Steps.TryGetValue(claim.Name, out var step))
        {
            throw new AttemptFailedException($"step {claim.StepId} is not in manifest {run.ManifestHash}", terminal: true);
        }

        if (step.Agent is not { Length: > 0 } agentName || !manifest.Manifest.Registry.Agents.TryGetValue(agentName, out var agent))
        {
            throw new AttemptFailedException(step.Agent is null ? $"step {claim.StepId} has no agent" : $"unknown agent '{step.Agent}'", terminal: true);
        }

        if (!manifest.Manifest.Registry.Sandboxes.TryGetValue(agent.Sandbox, out var sandbox))
        {
            throw new AttemptFailedException($"unknown sandbox '{agent.Sandbox}'", terminal: true);
        }

        var harness = harnesses.FirstOrDefault(h => h.Name == agent.Harness)
            ?? throw new AttemptFailedException($"harness '{agent.Harness}' is not available in this runtime", terminal: true);

        using var eventFields = JsonDocument.Parse(run.EventFields);
        var producers = new Dictionary<string, JsonElement>(StringComparer.Ordinal) { ["event"] = eventFields.RootElement };
        var upstreamJson = new JsonObject();
        var documents = new List<JsonDocument>();
        try
        {
            foreach (var name in step.After)
            {
                if (upstream.TryGetValue(name, out var output) && output is not null)
                {
                    var document = JsonDocument.Parse(output);
                    documents.Add(document);
                    producers[name] = document.RootElement;
                    upstreamJson[name] = JsonNode.Parse(output);
                }
            }

            string prompt;
            try
            {
                prompt = PromptTemplate.Render(step.Body, producers) + Skills.Section(catalog.ProjectRoot, agent.Skills) + ReplyInstruction.For(step, manifest.Manifest.Registry);
            }
            catch (TemplateException ex)
            {
                throw new AttemptFailedException(ex.Message, terminal: true);
            }

            var context = new JsonObject
            {
                ["run_id"] = run.Id,
                ["step_id"] = claim.StepId,
                ["attempt"] = claim.Attempt,
                ["event"] = new JsonObject { ["id"] = run.EventId, ["name"] = run.EventName, ["fields"] = JsonNode.Parse(run.EventFields) },
                ["upstream"] = upstreamJson,
                ["output_schema"] = new JsonObject(step.Output.Select(o => new KeyValuePair<string, JsonNode?>(o.Key, JsonNode.Parse(o.Value.GetRawText())))),
                ["emits"] = new JsonArray(step.Emits.Select(e => (JsonNode?)JsonValue.Create(e)).ToArray()),
            };
            var wallClock = settings.WallClockUnit * (step.Budget?.WallClock ?? settings.DefaultWallClock);
            // The step's cap is the smallest remaining amount of its own budget and the run's ledgers (§8.6).
            var cap = ledgers.Caps(manifest.Manifest.Registry.Limits, run.Workflow)
                .Prepend(step.Budget?.Spend is { } spend ? new SpendCap(spend.Usd, spent) : null)
                .OfType<SpendCap>()
                .OrderBy(c => c.RemainingUsd)
                .FirstOrDefault();
            if (cap is not null && cap.RemainingUsd <= 0)
            {
                throw cap.Exceeded(0, "before the step started");
            }

            var request = new HarnessRequest(run.Id, claim.StepId, claim.Attempt, run.EventId, agentName, agent, agent.Sandbox, sandbox, prompt,
                context.ToJsonString(), catalog.ProjectRoot, wallClock, cap)
            {
                SecretFiles = [.. manifest.Manifest.Registry.Sandboxes.Values.SelectMany(s => s.EnvFile).Distinct(StringComparer.Ordinal)],
            };
            var result = await harness.RunAsync(request, cancellationToken).ConfigureAwait(false);
            if (cap is not null && result.CostUsd is { } cost && cost > cap.RemainingUsd)
            {
                // A harness without running costs (exec) reports at the end: the cap still fails the step.
                throw cap.Exceeded(cost, "reported by the agent at its end");
            }

            return await OutcomeEvaluator.EvaluateAsync(step, manifest, result, settings.MaxReplyBytes).ConfigureAwait(false);
        }
        finally
        {
            foreach (var document in documents)
            {
                document.Dispose();
            }
        }
    }

    private async Task HeartbeatAsync(ClaimedStep claim, string owner, CancellationTokenSource lease, Action onLost, CancellationToken stop)
    {
        using var timer = new PeriodicTimer(options.Value.LeaseDuration / 3, time);
        try
        {
            while (await timer.WaitForNextTickAsync(stop).ConfigureAwait(false))
            {
                bool held;
                try
                {
                    held = await transitions.HeartbeatAsync(claim, owner, stop).ConfigureAwait(false);
                }
                catch (Exception ex) when (ex is not OperationCanceledException)
                {
                    // The database is unreachable for a moment: keep trying until the lease would expire anyway.
                    RuntimeLog.StepRecordFailed(logger, claim.RunId, claim.StepId, ex.Message);
                    continue;
                }

                if (!held)
                {
                    onLost();
                    await lease.CancelAsync().ConfigureAwait(false);
                    return;
                }
            }
        }
        catch (OperationCanceledException) when (stop.IsCancellationRequested)
        {
            // Stopped: the attempt is over.
        }
    }

    private static async Task StopAsync(CancellationTokenSource stop, Task heartbeat)
    {
        await stop.CancelAsync().ConfigureAwait(false);
        await heartbeat.ConfigureAwait(false);
    }

    private void LogRunEnd(string runId, string status)
    {
        if (status != RunStatus.Running)
        {
            RuntimeLog.RunFinished(logger, runId, status);
        }
    }
}
