using System.Text.Json;
using System.Text.Json.Nodes;
using Loopy.Contracts.Manifest;
using Loopy.Contracts.Messages;
using Loopy.Receiver;
using Loopy.Receiver.Ingress;
using Loopy.Runtime.Cron;
using Loopy.Runtime.Engine;
using Loopy.Runtime.Manifests;
using Loopy.Runtime.State;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace Loopy.Standalone.Trigger;

/// <summary>
/// Runs one event to completion in this process (<c>loopy trigger</c>): the standalone composition without an HTTP
/// server (<see cref="StandaloneApplication.BuildWithoutServer"/>) on a fresh SQLite file in a temporary folder
/// (deleted afterwards, with the manifest written there) and the in-process bus. The event goes through the Receiver's gate exactly as a producer's would (validation included),
/// then the Runtime runs every workflow it starts and every workflow their emitted events start. The trigger waits
/// until the cascade has settled: no run of it is running, every emitted event left the outbox, and every workflow
/// an event of the cascade starts (entry trigger and filters, as the Runtime decides) has its run.
/// </summary>
public static class InProcessTrigger
{
    private static readonly TimeSpan PollInterval = TimeSpan.FromMilliseconds(50);
    private static readonly JsonSerializerOptions MessageJson = new(JsonSerializerDefaults.Web);

    public static async Task<TriggerResult> RunAsync(TriggerRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        var data = Directory.CreateTempSubdirectory("loopy-trigger-");
        try
        {
            var manifestPath = Path.Combine(data.FullName, "manifest.json");
            await File.WriteAllTextAsync(manifestPath, request.ManifestJson, cancellationToken).ConfigureAwait(false);
            var settings = StandaloneSettings.Create(request.ProjectRoot, manifestPath, StandaloneSettings.DefaultUrl) with
            {
                DataDirectory = data.FullName,
                GitHubAppTokens = request.GitHubAppTokens,
            };
            using var host = StandaloneApplication.BuildWithoutServer(settings);
            await host.StartAsync(cancellationToken).ConfigureAwait(false);
            try
            {
                return await TriggerAsync(host.Services, request, cancellationToken).ConfigureAwait(false);
            }
            finally
            {
                await host.StopAsync(CancellationToken.None).ConfigureAwait(false);
            }
        }
        finally
        {
            Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
            data.Delete(recursive: true);
        }
    }

    private static async Task<TriggerResult> TriggerAsync(IServiceProvider services, TriggerRequest request, CancellationToken cancellationToken)
    {
        var started = request.CronWorkflow is { } cron
            ? await FireTickAsync(services, cron, cancellationToken).ConfigureAwait(false)
            : await AcceptAsync(services, request, cancellationToken).ConfigureAwait(false);
        if (started.Refusal is { } refusal)
        {
            return TriggerResult.Refused(refusal);
        }

        var initial = started.Initial!;
        var eventId = initial.EventId;
        var store = services.GetRequiredService<RuntimeStore>();
        var manifest = services.GetRequiredService<ManifestCatalog>().Active.Manifest;
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        deadline.CancelAfter(request.Timeout);
        var timedOut = false;
        try
        {
            while (!await SettledAsync(store, manifest, initial, deadline.Token).ConfigureAwait(false))
            {
                await Task.Delay(PollInterval, deadline.Token).ConfigureAwait(false);
            }
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            timedOut = true;
        }

        return new TriggerResult(eventId, null, await ReadCascadeAsync(store, eventId, cancellationToken).ConfigureAwait(false))
        {
            TimedOut = timedOut,
            EventFields = initial.Fields,
        };
    }

    /// <summary>The event through the Receiver's gate, as a producer's would go.</summary>
    private static async Task<Started> AcceptAsync(IServiceProvider services, TriggerRequest request, CancellationToken cancellationToken)
    {
        var producer = new ProducerOptions { Name = "loopy-trigger", Events = { "*" } };
        var envelope = new EventEnvelope(request.EventId, request.EventName, request.Fields, null);
        var accepted = await services.GetRequiredService<EventIngress>().AcceptAsync(envelope, producer, cancellationToken).ConfigureAwait(false);
        return accepted.IsSuccess
            ? new Started(new Published(accepted.EventId!, request.EventName, request.Fields), null)
            : new Started(null, new TriggerRefusal(accepted.Status, accepted.Code!, accepted.Detail!,
                [.. accepted.Errors.Select(e => new TriggerFieldError(e.Code, e.Path, e.Message))]));
    }

    /// <summary>
    /// One tick of a cron-triggered workflow, fired by hand: <c>scheduled_at</c> = now (whole seconds), <c>last_run</c> =
    /// the schedule's previous occurrence, through the same <see cref="RunIntake.StartCronRunAsync"/> as the scheduler.
    /// </summary>
    private static async Task<Started> FireTickAsync(IServiceProvider services, string workflow, CancellationToken cancellationToken)
    {
        var active = services.GetRequiredService<ManifestCatalog>().Active;
        var cronWorkflows = active.Manifest.Workflows
            .Where(w => w.Value.Steps.TryGetValue(w.Value.Entry, out var step) && step.Trigger is { Kind: ManifestTrigger.CronKind })
            .ToDictionary(w => w.Key, w => w.Value.Steps[w.Value.Entry], StringComparer.Ordinal);
        if (!cronWorkflows.TryGetValue(workflow, out var entry))
        {
            var known = cronWorkflows.Count == 0 ? "the manifest has none" : $"cron workflows: {string.Join(", ", cronWorkflows.Keys.Order(StringComparer.Ordinal))}";
            var detail = active.Workflow(workflow) is null
                ? $"'{workflow}' is not a workflow of the manifest ({known})"
                : $"workflow '{workflow}' is not cron-triggered ({known})";
            return new Started(null, new TriggerRefusal(400, "not_a_cron_workflow", detail, []));
        }

        var schedule = CronSchedule.Parse(entry.Trigger!.Expr ?? string.Empty, entry.Trigger.Tz);
        var now = TimeProvider.System.GetUtcNow();
        var slot = now.AddTicks(-(now.Ticks % TimeSpan.TicksPerSecond));
        var lastRun = schedule.Previous(slot) ?? slot;
        if (await services.GetRequiredService<RunIntake>().StartCronRunAsync(workflow, slot, lastRun, cancellationToken).ConfigureAwait(false) is null)
        {
            throw new InvalidOperationException($"the tick of '{workflow}' at {CronTick.Format(slot)} did not start a run");
        }

        var tickId = CronTick.Id(entry.Id, slot);
        using var fields = JsonDocument.Parse(CronTick.Fields(slot, lastRun).ToJsonString());
        return new Started(new Published(tickId, CronTick.EventName, fields.RootElement.Clone()), null);
    }

    /// <summary>True when nothing more will happen in the cascade of <paramref name="initial"/>.</summary>
    private static async Task<bool> SettledAsync(RuntimeStore store, LoopyManifest manifest, Published initial, CancellationToken cancellationToken)
    {
        await using var db = await store.OpenAsync(cancellationToken).ConfigureAwait(false);
        var runs = await db.Runs.AsNoTracking().Where(r => r.CascadeId == initial.EventId)
            .Select(r => new { r.Id, r.EventId, r.Workflow, r.Status }).ToListAsync(cancellationToken).ConfigureAwait(false);
        if (runs.Any(r => r.Status == RunStatus.Running))
        {
            return false;
        }

        var runIds = runs.Select(r => r.Id).ToList();
        var outbox = await db.Outbox.AsNoTracking().Where(o => runIds.Contains(o.RunId)).ToListAsync(cancellationToken).ConfigureAwait(false);
        if (outbox.Any(o => o.SentAt is null))
        {
            return false;
        }

        var published = new List<Published> { initial };
        foreach (var row in outbox)
        {
            var message = JsonSerializer.Deserialize<EventAccepted>(row.Message, MessageJson)!;
            published.Add(new Published(message.EventId, message.EventName, message.Fields));
        }

        return published.All(p => RunIntake.Subscribers(manifest, p.EventName, p.Fields)
            .All(workflow => runs.Any(r => r.EventId == p.EventId && r.Workflow == workflow)));
    }

    private static async Task<IReadOnlyList<TriggeredRun>> ReadCascadeAsync(RuntimeStore store, string cascadeId, CancellationToken cancellationToken)
    {
        await using var db = await store.OpenAsync(cancellationToken).ConfigureAwait(false);
        var runs = await db.Runs.AsNoTracking().Where(r => r.CascadeId == cascadeId).ToListAsync(cancellationToken).ConfigureAwait(false);
        var runIds = runs.Select(r => r.Id).ToList();
        var steps = await db.Steps.AsNoTracking().Where(s => runIds.Contains(s.RunId)).ToListAsync(cancellationToken).ConfigureAwait(false);
        var emitted = await db.History.AsNoTracking().Where(h => runIds.Contains(h.RunId) && h.Kind == HistoryKind.EventEmitted)
            .OrderBy(h => h.Id).ToListAsync(cancellationToken).ConfigureAwait(false);
        return
        [
            .. runs.OrderBy(r => r.CreatedAt).ThenBy(r => r.ChainDepth).ThenBy(r => r.Id, StringComparer.Ordinal).Select(run => new TriggeredRun(
                run.Id, run.Workflow, run.EventName, run.EventId, run.ChainDepth, run.Status, run.Error, run.FailedStep,
                [
                    .. steps.Where(s => s.RunId == run.Id)
                        .OrderBy(s => s.StartedAt ?? long.MaxValue).ThenBy(s => s.Name, StringComparer.Ordinal)
                        .Select(s => new TriggeredStep(s.Name, s.StepId, s.Status, s.Attempt, s.Output is null ? null : JsonNode.Parse(s.Output), s.Error, s.CostUsd)),
                ],
                [
                    .. emitted.Where(h => h.RunId == run.Id).Select(ToEmitted),
                ])),
        ];
    }

    private static EmittedEvent ToEmitted(HistoryRecord entry)
    {
        var payload = JsonNode.Parse(entry.Payload)!;
        return new EmittedEvent((string)payload["event"]!, (string)payload["event_id"]!, entry.StepId);
    }

    private sealed record Published(string EventId, string EventName, JsonElement Fields);

    private sealed record Started(Published? Initial, TriggerRefusal? Refusal);
}
