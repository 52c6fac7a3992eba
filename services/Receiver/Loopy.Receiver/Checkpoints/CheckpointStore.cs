using System.Data.Common;
using Loopy.Receiver.State;

namespace Loopy.Receiver.Checkpoints;

/// <summary>
/// Poll-sensor watermarks and tick leases for producers (table <c>receiver_sensor_checkpoints</c>, keyed by
/// producer and sensor): in the <see cref="ReceiverDatabase"/>;
/// the same SQL serves both. A claim is one conditional <c>UPDATE</c>, so of several replicas claiming at once
/// exactly one wins; completing and releasing are fenced by the tick id.
/// </summary>
public sealed class CheckpointStore
{
    private const string Schema = """
        CREATE TABLE IF NOT EXISTS receiver_sensor_checkpoints (
            producer     TEXT NOT NULL,
            sensor       TEXT NOT NULL,
            watermark    BIGINT NULL,
            tick_id      TEXT NULL,
            lease_owner  TEXT NULL,
            lease_until  BIGINT NULL,
            scheduled_at BIGINT NULL,
            updated_at   BIGINT NOT NULL,
            PRIMARY KEY (producer, sensor)
        );
        """;

    private readonly ReceiverDatabase _database;

    public CheckpointStore(ReceiverDatabase database)
    {
        _database = database;
    }

    /// <summary>
    /// Claims the next tick of <paramref name="sensor"/> for <paramref name="owner"/>: granted when no other owner
    /// holds an unexpired lease and (with an <paramref name="interval"/>) the last window ended at least an interval
    /// ago. The same owner may re-claim its own lease (a replica that lost track of its tick).
    /// </summary>
    public async Task<TickClaimResult> ClaimAsync(
        string producer, string sensor, string owner, TimeSpan lease, TimeSpan? interval, DateTimeOffset now, CancellationToken cancellationToken)
    {
        await EnsureSchemaAsync(cancellationToken);
        var nowMs = now.ToUnixTimeMilliseconds();
        var intervalMs = interval is { } i ? (long)i.TotalMilliseconds : 0L;
        var tickId = Guid.CreateVersion7(now).ToString("N");
        var leaseUntil = now + lease;
        await using var connection = await OpenAsync(cancellationToken);

        await using (var insert = Command(connection, """
            INSERT INTO receiver_sensor_checkpoints (producer, sensor, updated_at) VALUES (@producer, @sensor, @now)
            ON CONFLICT (producer, sensor) DO NOTHING
            """))
        {
            Add(insert, "producer", producer);
            Add(insert, "sensor", sensor);
            Add(insert, "now", nowMs);
            await insert.ExecuteNonQueryAsync(cancellationToken);
        }

        await using (var claim = Command(connection, """
            UPDATE receiver_sensor_checkpoints
               SET tick_id = @tick, lease_owner = @owner, lease_until = @until, scheduled_at = @now, updated_at = @now
             WHERE producer = @producer AND sensor = @sensor
               AND (tick_id IS NULL OR lease_until <= @now OR lease_owner = @owner)
               AND (watermark IS NULL OR watermark + @interval <= @now)
            """))
        {
            Add(claim, "tick", tickId);
            Add(claim, "owner", owner);
            Add(claim, "until", leaseUntil.ToUnixTimeMilliseconds());
            Add(claim, "now", nowMs);
            Add(claim, "producer", producer);
            Add(claim, "sensor", sensor);
            Add(claim, "interval", intervalMs);
            var claimed = await claim.ExecuteNonQueryAsync(cancellationToken) == 1;
            var state = await ReadAsync(connection, producer, sensor, cancellationToken)
                ?? throw new InvalidOperationException($"checkpoint {producer}/{sensor} vanished during a claim");
            if (claimed && state.TickId == tickId)
            {
                return new TickClaimResult(TickClaimStatus.Claimed, tickId, state.Watermark, FromMs(nowMs), leaseUntil, TimeSpan.Zero);
            }

            if (state.TickId is not null && state.LeaseUntil is { } until && until > now && state.LeaseOwner != owner)
            {
                return new TickClaimResult(TickClaimStatus.LeaseHeld, null, state.Watermark, now, until, until - now);
            }

            var nextDue = (state.Watermark ?? now) + TimeSpan.FromMilliseconds(intervalMs);
            return new TickClaimResult(TickClaimStatus.NotDue, null, state.Watermark, now, null, nextDue > now ? nextDue - now : TimeSpan.Zero);
        }
    }

    /// <summary>Ends tick <paramref name="tickId"/> and moves the watermark; false when that tick is not the current one.</summary>
    public async Task<bool> CompleteAsync(string producer, string sensor, string tickId, DateTimeOffset? watermark, DateTimeOffset now, CancellationToken cancellationToken)
    {
        await EnsureSchemaAsync(cancellationToken);
        await using var connection = await OpenAsync(cancellationToken);
        await using var update = Command(connection, watermark is null
            ? """
              UPDATE receiver_sensor_checkpoints
                 SET watermark = scheduled_at, tick_id = NULL, lease_owner = NULL, lease_until = NULL, updated_at = @now
               WHERE producer = @producer AND sensor = @sensor AND tick_id = @tick
              """
            : """
              UPDATE receiver_sensor_checkpoints
                 SET watermark = @watermark, tick_id = NULL, lease_owner = NULL, lease_until = NULL, updated_at = @now
               WHERE producer = @producer AND sensor = @sensor AND tick_id = @tick
              """);
        if (watermark is { } w)
        {
            Add(update, "watermark", w.ToUnixTimeMilliseconds());
        }

        Add(update, "now", now.ToUnixTimeMilliseconds());
        Add(update, "producer", producer);
        Add(update, "sensor", sensor);
        Add(update, "tick", tickId);
        return await update.ExecuteNonQueryAsync(cancellationToken) == 1;
    }

    /// <summary>Gives tick <paramref name="tickId"/> up, keeping the watermark; false when that tick is not the current one.</summary>
    public async Task<bool> ReleaseAsync(string producer, string sensor, string tickId, DateTimeOffset now, CancellationToken cancellationToken)
    {
        await EnsureSchemaAsync(cancellationToken);
        await using var connection = await OpenAsync(cancellationToken);
        await using var update = Command(connection, """
            UPDATE receiver_sensor_checkpoints
               SET tick_id = NULL, lease_owner = NULL, lease_until = NULL, updated_at = @now
             WHERE producer = @producer AND sensor = @sensor AND tick_id = @tick
            """);
        Add(update, "now", now.ToUnixTimeMilliseconds());
        Add(update, "producer", producer);
        Add(update, "sensor", sensor);
        Add(update, "tick", tickId);
        return await update.ExecuteNonQueryAsync(cancellationToken) == 1;
    }

    /// <summary>The stored state of a sensor, or null when it never claimed a tick.</summary>
    public async Task<SensorCheckpoint?> GetAsync(string producer, string sensor, CancellationToken cancellationToken)
    {
        await EnsureSchemaAsync(cancellationToken);
        await using var connection = await OpenAsync(cancellationToken);
        return await ReadAsync(connection, producer, sensor, cancellationToken);
    }

    private static async Task<SensorCheckpoint?> ReadAsync(DbConnection connection, string producer, string sensor, CancellationToken cancellationToken)
    {
        await using var select = Command(connection, """
            SELECT watermark, tick_id, lease_owner, lease_until FROM receiver_sensor_checkpoints
             WHERE producer = @producer AND sensor = @sensor
            """);
        Add(select, "producer", producer);
        Add(select, "sensor", sensor);
        await using var reader = await select.ExecuteReaderAsync(cancellationToken);
        if (!await reader.ReadAsync(cancellationToken))
        {
            return null;
        }

        return new SensorCheckpoint(
            producer,
            sensor,
            reader.IsDBNull(0) ? null : FromMs(reader.GetInt64(0)),
            reader.IsDBNull(1) ? null : reader.GetString(1),
            reader.IsDBNull(2) ? null : reader.GetString(2),
            reader.IsDBNull(3) ? null : FromMs(reader.GetInt64(3)));
    }

    private static DateTimeOffset FromMs(long milliseconds) => DateTimeOffset.FromUnixTimeMilliseconds(milliseconds);

    private Task EnsureSchemaAsync(CancellationToken cancellationToken) => _database.EnsureSchemaAsync(Schema, 7400002, cancellationToken);

    private Task<DbConnection> OpenAsync(CancellationToken cancellationToken) => _database.OpenAsync(cancellationToken);

    private static DbCommand Command(DbConnection connection, string sql) => ReceiverDatabase.Command(connection, null, sql);

    private static void Add(DbCommand command, string name, object value) => ReceiverDatabase.Add(command, name, value);
}
