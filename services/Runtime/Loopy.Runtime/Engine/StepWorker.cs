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
/// </summary>
public sealed class StepWorker(
    RuntimeStore store,
    StepExecutor executor,
    RuntimeReplica replica,
    EngineSignals signals,
    RuntimeReadiness readiness,
    IOptions<RuntimeOptions> options,
    TimeProvider time,
    ILogger<StepWorker> logger) : BackgroundService
{
    private const string ClaimFilter =
        "(status = 'ready' AND next_attempt_at <= @now) OR (status = 'running' AND lease_expires_at < @now)";

    private int _inFlight;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        await readiness.WaitAsync(stoppingToken).ConfigureAwait(false);
        var settings = options.Value;
        var running = new HashSet<Task>();
        while (!stoppingToken.IsCancellationRequested)
        {
            var free = settings.MaxConcurrentSteps - Volatile.Read(ref _inFlight);
            var claimed = 0;
            if (free > 0)
            {
                try
                {
                    var claims = await ClaimAsync(free, stoppingToken).ConfigureAwait(false);
                    claimed = claims.Count;
                    foreach (var claim in claims)
                    {
                        Interlocked.Increment(ref _inFlight);
                        var task = Task.Run(() => RunAsync(claim, stoppingToken), CancellationToken.None);
                        lock (running)
                        {
                            running.Add(task);
                        }

                        _ = task.ContinueWith(t => { lock (running) { running.Remove(t); } }, TaskScheduler.Default);
                    }
                }
                catch (Exception ex) when (ex is not OperationCanceledException || !stoppingToken.IsCancellationRequested)
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
                await signals.Steps.WaitAsync(settings.PollInterval, stoppingToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                break;
            }
        }

        Task[] remaining;
        lock (running)
        {
            remaining = [.. running];
        }

        await Task.WhenAll(remaining).ConfigureAwait(false);
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
