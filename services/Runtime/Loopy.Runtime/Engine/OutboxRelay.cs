using System.Text.Json;
using Loopy.Bus;
using Loopy.Contracts.Messages;
using Loopy.Runtime.State;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Loopy.Runtime.Engine;

/// <summary>
/// Publishes emitted events from the outbox to the bus and marks them sent. Rows are locked while they
/// are published (Postgres <c>FOR UPDATE SKIP LOCKED</c>), so replicas share the work; a publish that
/// fails is retried on the next pass, and a duplicate publish is harmless (the event id is deterministic
/// and runs are keyed by it).
/// </summary>
public sealed class OutboxRelay(
    RuntimeStore store,
    IEventBus bus,
    EngineSignals signals,
    RuntimeReadiness readiness,
    IOptions<RuntimeOptions> options,
    TimeProvider time,
    ILogger<OutboxRelay> logger) : BackgroundService
{
    private const int BatchSize = 100;
    private static readonly JsonSerializerOptions MessageJson = new(JsonSerializerDefaults.Web);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        await readiness.WaitAsync(stoppingToken).ConfigureAwait(false);
        while (!stoppingToken.IsCancellationRequested)
        {
            var published = 0;
            try
            {
                published = await RelayOnceAsync(stoppingToken).ConfigureAwait(false);
            }
            catch (Exception ex) when (stoppingToken.IsCancellationRequested && IsShutdownFault(ex))
            {
                // The host is stopping: the pass was cancelled, or the bus or the database went away under it. Its rows
                // stay unsent (the transaction never committed) and the next start publishes them: nothing to report.
                break;
            }
            catch (Exception ex)
            {
                RuntimeLog.RelayFailed(logger, "(batch)", ex.Message);
            }

            if (published == BatchSize)
            {
                continue;
            }

            try
            {
                await signals.Outbox.WaitAsync(options.Value.OutboxPollInterval, stoppingToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                break;
            }
        }
    }

    /// <summary>A cancellation or a disposed dependency (the service provider, the bus), however deeply wrapped.</summary>
    private static bool IsShutdownFault(Exception ex)
    {
        for (Exception? current = ex; current is not null; current = current.InnerException)
        {
            if (current is OperationCanceledException or ObjectDisposedException)
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>Publishes one batch of unsent rows; returns how many were published.</summary>
    public Task<int> RelayOnceAsync(CancellationToken cancellationToken) =>
        store.WriteAsync(async (db, ct) =>
        {
            var rows = store.IsPostgres
                ? await db.Outbox.FromSql($"SELECT * FROM runtime_outbox WHERE sent_at IS NULL ORDER BY created_at LIMIT {BatchSize} FOR UPDATE SKIP LOCKED").ToListAsync(ct).ConfigureAwait(false)
                : await db.Outbox.Where(o => o.SentAt == null).OrderBy(o => o.CreatedAt).Take(BatchSize).ToListAsync(ct).ConfigureAwait(false);
            var published = 0;
            foreach (var row in rows)
            {
                var message = JsonSerializer.Deserialize<EventAccepted>(row.Message, MessageJson)!;
                try
                {
                    await bus.PublishAsync(message, ct).ConfigureAwait(false);
                }
                catch (BusUnavailableException ex)
                {
                    RuntimeLog.RelayFailed(logger, row.EventId, ex.Message);
                    break;
                }

                row.SentAt = time.GetUtcNow().ToUnixTimeMilliseconds();
                published++;
            }

            await db.SaveChangesAsync(ct).ConfigureAwait(false);
            return published;
        }, cancellationToken);
}
