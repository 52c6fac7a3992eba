using System.Text.Json.Nodes;
using Loopy.Runtime.Engine;
using Loopy.Runtime.State;
using Microsoft.EntityFrameworkCore;

namespace Loopy.Runtime.Inspection;

/// <summary>Operator commands on a run: rerun from the failed step, cancel.</summary>
public sealed class RunCommands(RuntimeStore store, StepTransitions transitions, TimeProvider time, EngineSignals signals)
{
    /// <summary>
    /// Reruns a failed or cancelled run from where it stopped: completed steps keep their outputs and
    /// never run again; failed, skipped and cancelled steps become pending again with fresh attempts.
    /// </summary>
    public async Task<CommandResult> RerunAsync(string runId, CancellationToken cancellationToken)
    {
        var result = await store.WriteAsync(async (db, ct) =>
        {
            await store.LockRunAsync(db, runId, ct).ConfigureAwait(false);
            var run = await db.Runs.SingleOrDefaultAsync(r => r.Id == runId, ct).ConfigureAwait(false);
            if (run is null)
            {
                return CommandResult.NotFound;
            }

            if (run.Status is not (RunStatus.Failed or RunStatus.Cancelled))
            {
                return CommandResult.Conflict($"run {runId} is {run.Status}; only a failed or cancelled run can be rerun");
            }

            var steps = await db.Steps.Where(s => s.RunId == runId).ToListAsync(ct).ConfigureAwait(false);
            if (steps.Any(s => s.Status == StepStatus.Running))
            {
                return CommandResult.Conflict($"run {runId} still has a running step; rerun once it finished");
            }

            var now = time.GetUtcNow().ToUnixTimeMilliseconds();
            foreach (var step in steps.Where(s => s.Status is StepStatus.Failed or StepStatus.Skipped or StepStatus.Cancelled))
            {
                step.Status = StepStatus.Waiting;
                step.Attempt = 0;
                step.Error = null;
                step.FinishedAt = null;
                step.Version++;
            }

            run.Status = RunStatus.Running;
            run.Error = null;
            run.FailedStep = null;
            run.FinishedAt = null;
            db.History.Add(History.Entry(run.Id, HistoryKind.RunRerun, null, [], now));
            await db.SaveChangesAsync(ct).ConfigureAwait(false);
            await transitions.AdvanceAsync(db, run, now, ct).ConfigureAwait(false);
            await db.SaveChangesAsync(ct).ConfigureAwait(false);
            return CommandResult.Ok;
        }, cancellationToken).ConfigureAwait(false);
        signals.Steps.Notify();
        return result;
    }

    /// <summary>Cancels a running run: pending steps are cancelled and running steps lose their lease (their agents are killed).</summary>
    public Task<CommandResult> CancelAsync(string runId, CancellationToken cancellationToken) =>
        store.WriteAsync(async (db, ct) =>
        {
            await store.LockRunAsync(db, runId, ct).ConfigureAwait(false);
            var run = await db.Runs.SingleOrDefaultAsync(r => r.Id == runId, ct).ConfigureAwait(false);
            if (run is null)
            {
                return CommandResult.NotFound;
            }

            if (run.Status != RunStatus.Running)
            {
                return CommandResult.Conflict($"run {runId} is {run.Status}; only a running run can be cancelled");
            }

            var now = time.GetUtcNow().ToUnixTimeMilliseconds();
            var steps = await db.Steps
                .Where(s => s.RunId == runId && (s.Status == StepStatus.Waiting || s.Status == StepStatus.Ready || s.Status == StepStatus.Running))
                .ToListAsync(ct).ConfigureAwait(false);
            foreach (var step in steps)
            {
                step.Status = StepStatus.Cancelled;
                step.Version++;
                step.LeaseOwner = null;
                step.LeaseExpiresAt = null;
                step.FinishedAt = now;
            }

            run.Status = RunStatus.Cancelled;
            run.FinishedAt = now;
            db.History.Add(History.Entry(run.Id, HistoryKind.RunCancelled, null, new JsonObject { ["steps_cancelled"] = steps.Count }, now));
            await db.SaveChangesAsync(ct).ConfigureAwait(false);
            return CommandResult.Ok;
        }, cancellationToken);
}
