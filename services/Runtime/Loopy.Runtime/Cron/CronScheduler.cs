using Loopy.Contracts.Manifest;
using Loopy.Runtime.Engine;
using Loopy.Runtime.Manifests;
using Loopy.Runtime.State;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Loopy.Runtime.Cron;

/// <summary>
/// Fires <c>on: cron(...)</c> entry triggers (AUTHORING.md §3.2, §8.1). Every
/// <see cref="RuntimeOptions.CronPollInterval"/> each replica looks, per cron-triggered workflow, for the most
/// recent slot at or before now; when no run exists for a later or equal tick it starts one through
/// <see cref="RunIntake.StartCronRunAsync"/>. Exactly once across replicas comes from the tick's deterministic
/// event id and the unique (event id, workflow) index on runs: replicas racing on a slot all try to insert the
/// same key, one succeeds, the others see a duplicate. After downtime, <see cref="RuntimeOptions.CronCatchUp"/>
/// decides which missed slots fire.
/// </summary>
public sealed class CronScheduler(
    RunIntake intake,
    RuntimeStore store,
    ManifestCatalog catalog,
    RuntimeReadiness readiness,
    CronTelemetry telemetry,
    IOptions<RuntimeOptions> options,
    TimeProvider time,
    ILogger<CronScheduler> logger) : BackgroundService
{
    /// <summary>Missed slots are counted up to this many, for the catch-up log line.</summary>
    private const int MissedCountLimit = 1000;

    /// <summary>The last slot known to have fired, per workflow, so that a pass with nothing due costs no query.</summary>
    private readonly Dictionary<string, DateTimeOffset> _lastFired = new(StringComparer.Ordinal);
    private readonly SemaphoreSlim _pass = new(1, 1);
    private (string Hash, IReadOnlyList<CronEntry> Entries)? _schedules;
    private DateTimeOffset? _firstPassAt;

    /// <summary>The clock time of this replica's last completed pass; null until the first one (the scheduler waits for start-up).</summary>
    public DateTimeOffset? LastPassAt { get; private set; }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (!options.Value.CronEnabled)
        {
            return;
        }

        await readiness.WaitAsync(stoppingToken).ConfigureAwait(false);
        var period = options.Value.CronPollInterval > TimeSpan.Zero ? options.Value.CronPollInterval : TimeSpan.FromSeconds(1);
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await FireDueAsync(stoppingToken).ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is not OperationCanceledException || !stoppingToken.IsCancellationRequested)
            {
                CronLog.PassFailed(logger, ex.Message);
            }

            try
            {
                await Task.Delay(period, time, stoppingToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                break;
            }
        }
    }

    /// <summary>One pass: fires the due slot(s) of every cron-triggered workflow; returns how many runs this replica started.</summary>
    public async Task<int> FireDueAsync(CancellationToken cancellationToken)
    {
        await _pass.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            var now = time.GetUtcNow();
            if (_firstPassAt is null)
            {
                _firstPassAt = now;
                var count = Schedules().Count;
                CronLog.Started(logger, count, options.Value.CronCatchUp);
            }

            var started = 0;
            foreach (var entry in Schedules())
            {
                try
                {
                    started += await FireDueAsync(entry, now, cancellationToken).ConfigureAwait(false);
                }
                catch (Exception ex) when (ex is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
                {
                    // One schedule's failure (the store briefly down) does not hold up the others; the next pass retries.
                    CronLog.FireFailed(logger, entry.Workflow, ex.Message);
                }
            }

            LastPassAt = now;
            return started;
        }
        finally
        {
            _pass.Release();
        }
    }

    public override void Dispose()
    {
        _pass.Dispose();
        base.Dispose();
    }

    private async Task<int> FireDueAsync(CronEntry entry, DateTimeOffset now, CancellationToken cancellationToken)
    {
        if (entry.Schedule.Latest(now) is not { } due
            || (_lastFired.TryGetValue(entry.Workflow, out var known) && known >= due))
        {
            return 0;
        }

        var lastFired = await LastFiredAsync(entry, cancellationToken).ConfigureAwait(false);
        if (lastFired >= due)
        {
            _lastFired[entry.Workflow] = lastFired.Value;
            return 0;
        }

        IReadOnlyList<DateTimeOffset> slots;
        if (lastFired is null)
        {
            // Never fired: start with the first slot that came due while this replica ran, no catch-up before it.
            if (due < _firstPassAt)
            {
                _lastFired[entry.Workflow] = due;
                return 0;
            }

            slots = [due];
        }
        else
        {
            var settings = options.Value;
            var limit = settings.CronCatchUp == CronCatchUp.All ? Math.Max(1, settings.CronMaxCatchUp) : 1;
            var behind = entry.Schedule.LatestBetween(lastFired, due, Math.Max(limit, MissedCountLimit));
            slots = behind.Count > limit ? behind.Skip(behind.Count - limit).ToList() : behind;
            if (behind.Count > 1)
            {
                CronLog.CatchingUp(logger, entry.Workflow, behind.Count - 1, slots.Count, settings.CronCatchUp);
            }
        }

        var started = 0;
        var lastRun = lastFired ?? entry.Schedule.Previous(slots[0]) ?? slots[0];
        foreach (var slot in slots)
        {
            var runId = await intake.StartCronRunAsync(entry.Workflow, slot, lastRun, cancellationToken).ConfigureAwait(false);
            telemetry.Tick(entry.Workflow, runId is not null);
            var tickId = CronTick.Id(entry.StepId, slot);
            if (runId is null)
            {
                CronLog.TickDuplicate(logger, tickId, entry.Workflow);
            }
            else
            {
                started++;
                var delay = (long)(time.GetUtcNow() - slot).TotalMilliseconds;
                CronLog.TickFired(logger, runId, entry.Workflow, tickId, delay);
            }

            _lastFired[entry.Workflow] = slot;
            lastRun = slot;
        }

        return started;
    }

    /// <summary>The slot of the latest tick that started a run of the workflow (any replica), or null when none has.</summary>
    private async Task<DateTimeOffset?> LastFiredAsync(CronEntry entry, CancellationToken cancellationToken)
    {
        var prefix = CronTick.Prefix(entry.StepId);
        await using var db = await store.OpenAsync(cancellationToken).ConfigureAwait(false);
        var eventIds = await db.Runs.AsNoTracking()
            .Where(r => r.Workflow == entry.Workflow && r.EventName == CronTick.EventName && r.EventId.StartsWith(prefix))
            .OrderByDescending(r => r.EventId)
            .Select(r => r.EventId)
            .Take(10)
            .ToListAsync(cancellationToken)
            .ConfigureAwait(false);
        return eventIds.Select(id => CronTick.ParseSlot(id, prefix)).Max();
    }

    /// <summary>The cron-triggered workflows of the active manifest, parsed once per manifest version.</summary>
    private IReadOnlyList<CronEntry> Schedules()
    {
        var manifest = catalog.Active;
        if (_schedules is { } cached && cached.Hash == manifest.Hash)
        {
            return cached.Entries;
        }

        var entries = new List<CronEntry>();
        foreach (var (name, workflow) in manifest.Manifest.Workflows.OrderBy(w => w.Key, StringComparer.Ordinal))
        {
            if (!workflow.Steps.TryGetValue(workflow.Entry, out var step)
                || step.Trigger is not { Kind: ManifestTrigger.CronKind } trigger)
            {
                continue;
            }

            try
            {
                entries.Add(new CronEntry(name, step.Id, CronSchedule.Parse(trigger.Expr ?? string.Empty, trigger.Tz)));
            }
            catch (FormatException ex)
            {
                CronLog.InvalidSchedule(logger, name, ex.Message);
            }
        }

        _schedules = (manifest.Hash, entries);
        return entries;
    }

    private sealed record CronEntry(string Workflow, string StepId, CronSchedule Schedule);
}
