using System.Text.Json;
using System.Text.Json.Nodes;
using Loopy.Contracts.Messages;
using Loopy.Runtime.Manifests;
using Loopy.Runtime.State;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace Loopy.Runtime.Engine;

/// <summary>
/// The state changes of a claimed step, each one transaction with the run's row locked, each fenced:
/// the step row is only changed <c>WHERE lease_owner = me AND version = v AND status = running</c>, so a
/// replica that lost its lease can never complete or fail a step. Completion writes the step's emits
/// to the outbox, schedules the steps it unblocks and completes the run, all in the same transaction.
/// </summary>
public sealed class StepTransitions(RuntimeStore store, ManifestCatalog catalog, IOptions<RuntimeOptions> options, TimeProvider time, RuntimeTelemetry telemetry, EngineSignals signals)
{
    private static readonly JsonSerializerOptions MessageJson = new(JsonSerializerDefaults.Web);

    /// <summary>The run status after the transition, or null when the lease was lost (nothing written).</summary>
    public async Task<string?> CompleteAsync(ClaimedStep claim, string owner, StepOutcome outcome, string? traceParent, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(claim);
        ArgumentNullException.ThrowIfNull(outcome);
        var status = await store.WriteAsync(async (db, ct) =>
        {
            await store.LockRunAsync(db, claim.RunId, ct).ConfigureAwait(false);
            var now = time.GetUtcNow().ToUnixTimeMilliseconds();
            var changed = await Fenced(db, claim, owner).ExecuteUpdateAsync(s => s
                .SetProperty(x => x.Status, StepStatus.Completed)
                .SetProperty(x => x.Output, outcome.Output)
                .SetProperty(x => x.Reply, outcome.Reply)
                .SetProperty(x => x.CostUsd, x => (x.CostUsd ?? 0) + (outcome.CostUsd ?? 0))
                .SetProperty(x => x.InputTokens, outcome.InputTokens)
                .SetProperty(x => x.OutputTokens, outcome.OutputTokens)
                .SetProperty(x => x.Error, (string?)null)
                .SetProperty(x => x.FinishedAt, now)
                .SetProperty(x => x.LeaseOwner, (string?)null)
                .SetProperty(x => x.LeaseExpiresAt, (long?)null), ct).ConfigureAwait(false);
            if (changed == 0)
            {
                return null;
            }

            var run = await db.Runs.SingleAsync(r => r.Id == claim.RunId, ct).ConfigureAwait(false);
            db.History.Add(History.Entry(run.Id, HistoryKind.StepCompleted, claim.StepId, new JsonObject
            {
                ["attempt"] = claim.Attempt,
                ["cost_usd"] = outcome.CostUsd,
                ["input_tokens"] = outcome.InputTokens,
                ["output_tokens"] = outcome.OutputTokens,
            }, now));
            var emittedAny = false;
            foreach (var emit in outcome.Emits)
            {
                if (emit.Payload is not { } payload)
                {
                    db.History.Add(History.Entry(run.Id, HistoryKind.EmitSkipped, claim.StepId, new JsonObject { ["event"] = emit.EventName, ["reason"] = emit.SkipReason }, now));
                }
                else if (run.ChainDepth + 1 > options.Value.MaxChainDepth)
                {
                    db.History.Add(History.Entry(run.Id, HistoryKind.EmitSkipped, claim.StepId, new JsonObject { ["event"] = emit.EventName, ["reason"] = "chain_depth" }, now));
                }
                else
                {
                    var eventId = $"{run.Id}:{claim.StepId}:{emit.EventName}";
                    var message = new EventAccepted
                    {
                        EventId = eventId,
                        EventName = emit.EventName,
                        Fields = payload,
                        Producer = $"workflow:{run.Workflow}",
                        AcceptedAt = time.GetUtcNow(),
                        ManifestVersion = run.ManifestHash,
                        TraceParent = traceParent ?? run.TraceParent,
                        ChainDepth = run.ChainDepth + 1,
                        CascadeId = run.CascadeId,
                    };
                    db.Outbox.Add(new OutboxRecord
                    {
                        EventId = eventId,
                        RunId = run.Id,
                        EventName = emit.EventName,
                        Message = JsonSerializer.Serialize(message, MessageJson),
                        CreatedAt = now,
                    });
                    db.History.Add(History.Entry(run.Id, HistoryKind.EventEmitted, claim.StepId, new JsonObject { ["event"] = emit.EventName, ["event_id"] = eventId }, now));
                    emittedAny = true;
                }
            }

            if (run.Status == RunStatus.Running)
            {
                await AdvanceAsync(db, run, now, ct).ConfigureAwait(false);
            }

            await db.SaveChangesAsync(ct).ConfigureAwait(false);
            if (emittedAny)
            {
                signals.Outbox.Notify();
            }

            return run.Status;
        }, cancellationToken).ConfigureAwait(false);
        signals.Steps.Notify();
        return status;
    }

    /// <summary>Records a failed attempt: a retry at a durable time, or the step's (and run's) failure. Null when the lease was lost.</summary>
    /// <remarks><paramref name="costUsd"/>, what the failed attempt spent, adds to the step's cost (its budget spans all attempts).</remarks>
    public async Task<string?> FailAsync(ClaimedStep claim, string owner, string error, bool terminal, CancellationToken cancellationToken, double? costUsd = null)
    {
        ArgumentNullException.ThrowIfNull(claim);
        var settings = options.Value;
        var status = await store.WriteAsync(async (db, ct) =>
        {
            await store.LockRunAsync(db, claim.RunId, ct).ConfigureAwait(false);
            var nowTime = time.GetUtcNow();
            var now = nowTime.ToUnixTimeMilliseconds();
            var run = await db.Runs.SingleAsync(r => r.Id == claim.RunId, ct).ConfigureAwait(false);
            if (!terminal && claim.Attempt < settings.MaxAttempts && run.Status == RunStatus.Running)
            {
                var delay = RetryPolicy.Delay(claim.Attempt, settings.RetryBaseDelay, settings.RetryMaxDelay, Random.Shared.NextDouble());
                var next = (nowTime + delay).ToUnixTimeMilliseconds();
                var retried = await Fenced(db, claim, owner).ExecuteUpdateAsync(s => s
                    .SetProperty(x => x.Status, StepStatus.Ready)
                    .SetProperty(x => x.NextAttemptAt, next)
                    .SetProperty(x => x.CostUsd, x => costUsd == null ? x.CostUsd : (x.CostUsd ?? 0) + costUsd)
                    .SetProperty(x => x.Error, error)
                    .SetProperty(x => x.LeaseOwner, (string?)null)
                    .SetProperty(x => x.LeaseExpiresAt, (long?)null), ct).ConfigureAwait(false);
                if (retried == 0)
                {
                    return null;
                }

                db.History.Add(History.Entry(run.Id, HistoryKind.StepRetrying, claim.StepId, new JsonObject
                {
                    ["attempt"] = claim.Attempt,
                    ["error"] = error,
                    ["delay_s"] = Math.Round(delay.TotalSeconds, 3),
                }, now));
                await db.SaveChangesAsync(ct).ConfigureAwait(false);
                telemetry.Retry(claim.StepId);
                return run.Status;
            }

            var failed = await Fenced(db, claim, owner).ExecuteUpdateAsync(s => s
                .SetProperty(x => x.Status, StepStatus.Failed)
                .SetProperty(x => x.CostUsd, x => costUsd == null ? x.CostUsd : (x.CostUsd ?? 0) + costUsd)
                .SetProperty(x => x.Error, error)
                .SetProperty(x => x.FinishedAt, now)
                .SetProperty(x => x.LeaseOwner, (string?)null)
                .SetProperty(x => x.LeaseExpiresAt, (long?)null), ct).ConfigureAwait(false);
            if (failed == 0)
            {
                return null;
            }

            db.History.Add(History.Entry(run.Id, HistoryKind.StepFailed, claim.StepId, new JsonObject
            {
                ["attempt"] = claim.Attempt,
                ["error"] = error,
                ["terminal"] = terminal,
                ["cost_usd"] = costUsd,
            }, now));
            if (run.Status == RunStatus.Running)
            {
                run.Status = RunStatus.Failed;
                run.Error = $"step {claim.StepId} failed: {error}";
                run.FailedStep = claim.Name;
                run.FinishedAt = now;
                await SkipPendingAsync(db, run, now, ct).ConfigureAwait(false);
                db.History.Add(History.Entry(run.Id, HistoryKind.RunFailed, claim.StepId, new JsonObject { ["error"] = run.Error }, now));
                telemetry.RunFailed(run.Workflow);
            }

            await db.SaveChangesAsync(ct).ConfigureAwait(false);
            return run.Status;
        }, cancellationToken).ConfigureAwait(false);
        signals.Steps.Notify();
        return status;
    }

    /// <summary>Extends the lease; false when it was lost (another replica took the step, or the run was cancelled).</summary>
    public async Task<bool> HeartbeatAsync(ClaimedStep claim, string owner, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(claim);
        var expires = (time.GetUtcNow() + options.Value.LeaseDuration).ToUnixTimeMilliseconds();
        await using var db = await store.OpenAsync(cancellationToken).ConfigureAwait(false);
        var changed = await Fenced(db, claim, owner)
            .ExecuteUpdateAsync(s => s.SetProperty(x => x.LeaseExpiresAt, expires), cancellationToken).ConfigureAwait(false);
        return changed == 1;
    }

    /// <summary>Gives a step back on shutdown without counting the interrupted attempt.</summary>
    public async Task ReleaseAsync(ClaimedStep claim, string owner, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(claim);
        var now = time.GetUtcNow().ToUnixTimeMilliseconds();
        await store.WriteAsync(async (db, ct) => await Fenced(db, claim, owner).ExecuteUpdateAsync(s => s
            .SetProperty(x => x.Status, StepStatus.Ready)
            .SetProperty(x => x.Attempt, x => x.Attempt - 1)
            .SetProperty(x => x.NextAttemptAt, now)
            .SetProperty(x => x.LeaseOwner, (string?)null)
            .SetProperty(x => x.LeaseExpiresAt, (long?)null), ct).ConfigureAwait(false), cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Schedules waiting steps whose <c>after:</c> steps all completed; completes the run when every step did.</summary>
    public async Task AdvanceAsync(RuntimeDbContext db, RunRecord run, long now, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(db);
        ArgumentNullException.ThrowIfNull(run);
        var steps = await db.Steps.Where(s => s.RunId == run.Id).ToListAsync(cancellationToken).ConfigureAwait(false);
        var completed = steps.Where(s => s.Status == StepStatus.Completed).Select(s => s.Name).ToHashSet(StringComparer.Ordinal);
        if (completed.Count == steps.Count)
        {
            run.Status = RunStatus.Completed;
            run.FinishedAt = now;
            db.History.Add(History.Entry(run.Id, HistoryKind.RunCompleted, null, [], now));
            telemetry.RunSucceeded(run.Workflow);
            return;
        }

        var manifest = await catalog.GetAsync(run.ManifestHash, cancellationToken).ConfigureAwait(false);
        var manifestAfter = manifest.Workflow(run.Workflow)?.Steps.ToDictionary(s => s.Key, s => s.Value.After, StringComparer.Ordinal) ?? [];
        foreach (var step in steps.Where(s => s.Status == StepStatus.Waiting).OrderBy(s => s.Name, StringComparer.Ordinal))
        {
            if (manifestAfter.TryGetValue(step.Name, out var after) && after.All(completed.Contains))
            {
                step.Status = StepStatus.Ready;
                step.NextAttemptAt = now;
                db.History.Add(History.Entry(run.Id, HistoryKind.StepScheduled, step.StepId, [], now));
            }
        }
    }

    /// <summary>Marks the run's waiting and ready steps skipped (a failed or cancelled run starts no new step).</summary>
    public static async Task SkipPendingAsync(RuntimeDbContext db, RunRecord run, long now, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(db);
        ArgumentNullException.ThrowIfNull(run);
        var pending = await db.Steps
            .Where(s => s.RunId == run.Id && (s.Status == StepStatus.Waiting || s.Status == StepStatus.Ready))
            .ToListAsync(cancellationToken).ConfigureAwait(false);
        foreach (var step in pending.OrderBy(s => s.Name, StringComparer.Ordinal))
        {
            step.Status = StepStatus.Skipped;
            step.FinishedAt = now;
            db.History.Add(History.Entry(run.Id, HistoryKind.StepSkipped, step.StepId, [], now));
        }
    }

    private static IQueryable<StepRecord> Fenced(RuntimeDbContext db, ClaimedStep claim, string owner) =>
        db.Steps.Where(s => s.Id == claim.Id && s.LeaseOwner == owner && s.Version == claim.Version && s.Status == StepStatus.Running);
}
