using System.Diagnostics;
using System.Text.Json;
using System.Text.Json.Nodes;
using Loopy.Bus;
using Loopy.Contracts.Manifest;
using Loopy.Runtime.Cron;
using Loopy.Runtime.Manifests;
using Loopy.Runtime.State;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Loopy.Runtime.Engine;

/// <summary>
/// Starts runs from bus deliveries (AUTHORING.md §8.1): one run per (event id, workflow), so a
/// redelivered event never starts a second run; the entry trigger's filters must all match; the run
/// is pinned to the manifest version it started on and its entry step is scheduled at once.
/// </summary>
public sealed class RunIntake(RuntimeStore store, ManifestCatalog catalog, RunPreflight preflight, IOptions<RuntimeOptions> options, TimeProvider time, RuntimeTelemetry telemetry, EngineSignals signals, ILogger<RunIntake> logger)
{
    /// <summary>
    /// The workflows a delivery of the event <paramref name="eventName"/> with <paramref name="fields"/> starts a run
    /// of: the entry step is triggered by that event and every filter of the trigger matches (exact string equality).
    /// </summary>
    public static IEnumerable<string> Subscribers(LoopyManifest manifest, string eventName, JsonElement fields)
    {
        ArgumentNullException.ThrowIfNull(manifest);
        foreach (var route in EventRoute.Of(manifest).Where(r => r.EventName == eventName))
        {
            var workflow = manifest.Workflows[route.Workflow];
            if (FiltersMatch(workflow.Steps[workflow.Entry].Trigger!, fields))
            {
                yield return route.Workflow;
            }
        }
    }

    /// <summary>Handles one delivery; returns the run id started, or null (no match, or a duplicate).</summary>
    public async Task<string?> HandleAsync(BusDelivery delivery, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(delivery);
        var message = delivery.Message;
        var manifest = catalog.Active;
        if (manifest.Workflow(delivery.Workflow) is not { } workflow
            || !workflow.Steps.TryGetValue(workflow.Entry, out var entry)
            || entry.Trigger is not { Kind: ManifestTrigger.EventKind } trigger
            || trigger.Event != message.EventName
            || !FiltersMatch(trigger, message.Fields))
        {
            return null;
        }

        var parent = ActivityContext.TryParse(message.TraceParent, message.TraceState, out var context) ? context : default;
        using var activity = RuntimeTelemetry.ActivitySource.StartActivity($"run {delivery.Workflow}", ActivityKind.Consumer, parent);
        activity?.SetTag("loopy.workflow", delivery.Workflow);
        activity?.SetTag("loopy.event_id", message.EventId);
        var fields = message.Fields.ValueKind == JsonValueKind.Object ? message.Fields.GetRawText() : "{}";
        var start = new RunStart(message.EventId, message.EventName, fields, message.CascadeId ?? message.EventId, message.ChainDepth, message.TraceParent);
        return await StartRunAsync(manifest, delivery.Workflow, workflow, start, activity, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// Starts the run of the cron tick at <paramref name="slot"/> of <paramref name="workflow"/> (AUTHORING.md §8.1):
    /// event id <c>tick-&lt;entry step id&gt;-&lt;slot&gt;</c>, fields <c>scheduled_at</c> and <c>last_run</c>, chain
    /// depth 0. Returns the run id, or null when the workflow is not cron-triggered or the tick already started
    /// a run (another replica fired the same slot first).
    /// </summary>
    public async Task<string?> StartCronRunAsync(string workflow, DateTimeOffset slot, DateTimeOffset lastRun, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(workflow);
        var manifest = catalog.Active;
        if (manifest.Workflow(workflow) is not { } definition
            || !definition.Steps.TryGetValue(definition.Entry, out var entry)
            || entry.Trigger is not { Kind: ManifestTrigger.CronKind })
        {
            return null;
        }

        var tickId = CronTick.Id(entry.Id, slot);
        using var activity = RuntimeTelemetry.ActivitySource.StartActivity($"run {workflow}", ActivityKind.Internal);
        activity?.SetTag("loopy.workflow", workflow);
        activity?.SetTag("loopy.event_id", tickId);
        var start = new RunStart(tickId, CronTick.EventName, CronTick.Fields(slot, lastRun).ToJsonString(), tickId, 0, null);
        return await StartRunAsync(manifest, workflow, definition, start, activity, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Creates the run, its steps and its history in one write, unless (event id, workflow) already has a run.</summary>
    private async Task<string?> StartRunAsync(ActiveManifest manifest, string workflowName, ManifestWorkflow workflow, RunStart start, Activity? activity, CancellationToken cancellationToken)
    {
        IReadOnlyList<string> problems;
        try
        {
            problems = preflight.Check(manifest.Manifest, workflow);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or InvalidOperationException)
        {
            problems = [$"preflight could not run: {ex.Message}"];
        }

        var preflightError = problems.Count == 0 ? null : $"preflight failed: {string.Join("; ", problems)}";
        try
        {
            var runId = await store.WriteAsync(async (db, ct) =>
            {
                if (await db.Runs.AnyAsync(r => r.EventId == start.EventId && r.Workflow == workflowName, ct).ConfigureAwait(false))
                {
                    return null;
                }

                // §8.6: a cascade starts at most MaxRunsPerCascade runs; the next one fails at start
                // (approximate across replicas starting runs of one cascade at the same instant).
                var cascadeId = start.CascadeId;
                var limit = options.Value.MaxRunsPerCascade;
                var error = await db.Runs.CountAsync(r => r.CascadeId == cascadeId, ct).ConfigureAwait(false) >= limit
                    ? $"cascade exceeded max runs ({limit})"
                    : preflightError;
                var failed = error is not null;
                var now = time.GetUtcNow();
                var at = now.ToUnixTimeMilliseconds();
                var id = $"{workflowName}-{Guid.CreateVersion7(now):N}";
                activity?.SetTag("loopy.run_id", id);
                db.Runs.Add(new RunRecord
                {
                    Id = id,
                    Workflow = workflowName,
                    EventId = start.EventId,
                    EventName = start.EventName,
                    EventFields = start.Fields,
                    ManifestHash = manifest.Hash,
                    Status = failed ? RunStatus.Failed : RunStatus.Running,
                    Error = error,
                    FinishedAt = failed ? at : null,
                    CascadeId = cascadeId,
                    ChainDepth = start.ChainDepth,
                    TraceParent = activity?.Id ?? start.TraceParent,
                    CreatedAt = at,
                });
                db.History.Add(History.Entry(id, HistoryKind.RunStarted, null, new JsonObject
                {
                    ["event"] = start.EventName,
                    ["event_id"] = start.EventId,
                    ["manifest_hash"] = manifest.Hash,
                }, at));
                foreach (var (name, step) in workflow.Steps.OrderBy(s => s.Key, StringComparer.Ordinal))
                {
                    var isEntry = name == workflow.Entry && !failed;
                    db.Steps.Add(new StepRecord
                    {
                        Id = $"{id}:{step.Id}",
                        RunId = id,
                        Name = name,
                        StepId = step.Id,
                        Status = failed ? StepStatus.Skipped : isEntry ? StepStatus.Ready : StepStatus.Waiting,
                        NextAttemptAt = at,
                    });
                    if (isEntry)
                    {
                        db.History.Add(History.Entry(id, HistoryKind.StepScheduled, step.Id, [], at));
                    }
                }

                if (failed)
                {
                    db.History.Add(History.Entry(id, HistoryKind.RunFailed, null, new JsonObject { ["error"] = error }, at));
                    telemetry.RunFailed(workflowName);
                }

                await db.SaveChangesAsync(ct).ConfigureAwait(false);
                return id;
            }, cancellationToken).ConfigureAwait(false);

            if (runId is null)
            {
                RuntimeLog.DuplicateEvent(logger, start.EventId, workflowName);
                return null;
            }

            telemetry.RunStarted(workflowName);
            RuntimeLog.RunStarted(logger, runId, workflowName, start.EventId);
            signals.Steps.Notify();
            return runId;
        }
        catch (DbUpdateException)
        {
            // Another replica may have started the run for this delivery at the same moment.
            if (!await ExistsAsync(start.EventId, workflowName, cancellationToken).ConfigureAwait(false))
            {
                throw;
            }

            RuntimeLog.DuplicateEvent(logger, start.EventId, workflowName);
            return null;
        }
    }

    private async Task<bool> ExistsAsync(string eventId, string workflow, CancellationToken cancellationToken)
    {
        await using var db = await store.OpenAsync(cancellationToken).ConfigureAwait(false);
        return await db.Runs.AnyAsync(r => r.EventId == eventId && r.Workflow == workflow, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>What a run is started from: its triggering event's id, name, fields (JSON text) and cascade.</summary>
    private readonly record struct RunStart(string EventId, string EventName, string Fields, string CascadeId, int ChainDepth, string? TraceParent);

    private static bool FiltersMatch(ManifestTrigger trigger, JsonElement fields)
    {
        foreach (var (field, expected) in trigger.Filters ?? new Dictionary<string, string>())
        {
            if (fields.ValueKind != JsonValueKind.Object
                || !fields.TryGetProperty(field, out var actual)
                || actual.ValueKind != JsonValueKind.String
                || actual.GetString() != expected)
            {
                return false;
            }
        }

        return true;
    }
}
