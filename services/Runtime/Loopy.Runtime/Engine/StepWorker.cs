using System.Data.Common;
using System.Text.Json.Nodes;
using Loopy.Runtime.State;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Loopy.Runtime.Engine;

/// <summary>
/// This replica's scheduler: claims ready steps (and steps whose lease expired) up to
/// <see cref="RuntimeOptions.MaxConcurrentSteps"/> at once, with a lease and a new fencing version
/// (Postgres: <c>FOR UPDATE SKIP LOCKED</c>, so replicas never claim the same step), and runs each in
/// parallel through <see cref="StepExecutor"/>.
/// Graceful shutdown: when the host starts stopping, the worker claims nothing more, lets the running steps finish
/// until <see cref="HostOptions.ShutdownTimeout"/> less <see cref="RuntimeOptions.ShutdownReleaseTime"/>, then
/// cancels the rest, whose leases are released at once (another replica claims them without waiting for expiry).
/// </summary>
public sealed class StepWorker(
    RuntimeStore store,
    StepExecutor executor,
    RuntimeReplica replica,
    EngineSignals signals,
    RuntimeReadiness readiness,
    IOptions<RuntimeOptions> options,
    IOptions<HostOptions> hostOptions,
    TimeProvider time,
    ILogger<StepWorker> logger) : BackgroundService, IHostedLifecycleService
{
    private const string ClaimFilter =
        "(status = 'ready' AND next_attempt_at <= @now) OR (status = 'running' AND lease_expires_at < @now)";

    private readonly CancellationTokenSource _draining = new();
    private volatile bool _disposed;
    private readonly CancellationTokenSource _abortSteps = new();
    private readonly TaskCompletionSource _claimingStopped = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly HashSet<Task> _running = [];
    private int _inFlight;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var claiming = CancellationTokenSource.CreateLinkedTokenSource(stoppingToken, _draining.Token);
        try
        {
            await ClaimLoopAsync(claiming.Token).ConfigureAwait(false);
        }
        finally
        {
            _claimingStopped.TrySetResult();
        }

        await Task.WhenAll(RunningSteps()).ConfigureAwait(false);
    }

    private async Task ClaimLoopAsync(CancellationToken claiming)
    {
        try
        {
            await readiness.WaitAsync(claiming).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            return;
        }

        var settings = options.Value;
        while (!claiming.IsCancellationRequested)
        {
            var free = settings.MaxConcurrentSteps - Volatile.Read(ref _inFlight);
            var claimed = 0;
            if (free > 0)
            {
                try
                {
                    var claims = await ClaimAsync(free, claiming).ConfigureAwait(false);
                    claimed = claims.Count;
                    foreach (var claim in claims)
                    {
                        Interlocked.Increment(ref _inFlight);
                        var task = Task.Run(() => RunAsync(claim, _abortSteps.Token), CancellationToken.None);
                        lock (_running)
                        {
                            _running.Add(task);
                        }

                        _ = task.ContinueWith(t => { lock (_running) { _running.Remove(t); } }, TaskScheduler.Default);
                    }
                }
                catch (Exception ex) when (ex is not OperationCanceledException || !claiming.IsCancellationRequested)
                {
                    RuntimeLog.WorkerLoopFailed(logger, ex.Message);
                }
            }

            if (claimed > 0 && claimed == free)
            {
                continue;
            }

            try
            {
                await signals.Steps.WaitAsync(settings.PollInterval, claiming).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                break;
            }
        }
    }

    /// <summary>
    /// The host is stopping (before any service stops, so the bus and the outbox relay still run): claim nothing more,
    /// let running steps finish within the drain period, then hand the rest back.
    /// </summary>
    public async Task StoppingAsync(CancellationToken cancellationToken)
    {
        if (_disposed)
        {
            return;
        }

        await _draining.CancelAsync().ConfigureAwait(false);
        if (ExecuteTask is null)
        {
            return;
        }

        await _claimingStopped.Task.WaitAsync(cancellationToken).ConfigureAwait(false);
        var running = RunningSteps();
        if (running.Length == 0)
        {
            return;
        }

        var drain = hostOptions.Value.ShutdownTimeout - options.Value.ShutdownReleaseTime;
        RuntimeLog.Draining(logger, running.Length, drain.TotalSeconds);
        var finished = Task.WhenAll(running);
        if (drain > TimeSpan.Zero)
        {
            try
            {
                await finished.WaitAsync(drain, time, cancellationToken).ConfigureAwait(false);
                return;
            }
            catch (TimeoutException)
            {
                // The drain period is over: release what is still running.
            }
        }

        RuntimeLog.ReleasingSteps(logger, RunningSteps().Length);
        await _abortSteps.CancelAsync().ConfigureAwait(false);
        await finished.WaitAsync(cancellationToken).ConfigureAwait(false);
    }

    public override async Task StopAsync(CancellationToken cancellationToken)
    {
        if (_disposed)
        {
            // A host disposed before it is stopped (a test factory) stops its services afterwards: nothing runs any more.
            return;
        }

        // Stopped without a stopping phase (or after it): running steps are released, not left to their lease.
        await _draining.CancelAsync().ConfigureAwait(false);
        await _abortSteps.CancelAsync().ConfigureAwait(false);
        await base.StopAsync(cancellationToken).ConfigureAwait(false);
    }

    public override void Dispose()
    {
        _disposed = true;
        _draining.Dispose();
        _abortSteps.Dispose();
        base.Dispose();
    }

    public Task StartingAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StartedAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StoppedAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    private Task[] RunningSteps()
    {
        lock (_running)
        {
            return [.. _running];
        }
    }

    private async Task RunAsync(ClaimedStep claim, CancellationToken stoppingToken)
    {
        try
        {
            await executor.ExecuteAsync(claim, replica.Id, stoppingToken).ConfigureAwait(false);
        }
        catch (Exception ex)
        {
            // The outcome could not be recorded (database unreachable): the lease expires and the step is taken over.
            RuntimeLog.StepRecordFailed(logger, claim.RunId, claim.StepId, ex.Message);
        }
        finally
        {
            Interlocked.Decrement(ref _inFlight);
            signals.Steps.Notify();
        }
    }

    /// <summary>Claims up to <paramref name="limit"/> steps for this replica and records their start.</summary>
    public Task<List<ClaimedStep>> ClaimAsync(int limit, CancellationToken cancellationToken)
    {
        var settings = options.Value;
        return store.WriteAsync(async (db, ct) =>
        {
            var now = time.GetUtcNow().ToUnixTimeMilliseconds();
            var select = $"SELECT id FROM runtime_steps WHERE {ClaimFilter} ORDER BY next_attempt_at, run_id, name LIMIT @limit"
                + (store.IsPostgres ? " FOR UPDATE SKIP LOCKED" : string.Empty);
            var sql = "UPDATE runtime_steps SET status = 'running', lease_owner = @owner, lease_expires_at = @expires, "
                + "version = version + 1, attempt = attempt + 1, started_at = @now, finished_at = NULL "
                + $"WHERE id IN ({select}) AND ({ClaimFilter}) RETURNING id, run_id, name, step_id, attempt, version";
            await db.Database.OpenConnectionAsync(ct).ConfigureAwait(false);
            await using DbCommand command = RuntimeStore.CreateCommand(db, sql);
            RuntimeStore.AddParameter(command, "@owner", replica.Id);
            RuntimeStore.AddParameter(command, "@expires", now + (long)settings.LeaseDuration.TotalMilliseconds);
            RuntimeStore.AddParameter(command, "@now", now);
            RuntimeStore.AddParameter(command, "@limit", limit);
            var claims = new List<ClaimedStep>();
            await using (var reader = await command.ExecuteReaderAsync(ct).ConfigureAwait(false))
            {
                while (await reader.ReadAsync(ct).ConfigureAwait(false))
                {
                    claims.Add(new ClaimedStep(reader.GetString(0), reader.GetString(1), reader.GetString(2), reader.GetString(3),
                        Convert.ToInt32(reader.GetValue(4), System.Globalization.CultureInfo.InvariantCulture),
                        Convert.ToInt64(reader.GetValue(5), System.Globalization.CultureInfo.InvariantCulture)));
                }
            }

            foreach (var claim in claims)
            {
                db.History.Add(History.Entry(claim.RunId, HistoryKind.StepStarted, claim.StepId, new JsonObject { ["attempt"] = claim.Attempt, ["worker"] = replica.Id }, now));
            }

            if (claims.Count > 0)
            {
                await db.SaveChangesAsync(ct).ConfigureAwait(false);
            }

            return claims.OrderBy(c => c.RunId, StringComparer.Ordinal).ThenBy(c => c.Name, StringComparer.Ordinal).ToList();
        }, cancellationToken);
    }
}
