using System.Data.Common;
using Loopy.Receiver.State;

namespace Loopy.Receiver.Dedupe;

/// <summary>
/// The Receiver's durable ingress state: accepted event ids (dedupe) and seen webhook ids (replay), in
/// the <see cref="ReceiverDatabase"/> (Postgres or SQLite); the same SQL serves both.
/// </summary>
/// <remarks>
/// Ordering (record-then-publish in one transaction): the event row is inserted, the event is published
/// and confirmed by the bus, and only then is the transaction committed and 202 answered. A concurrent
/// request with the same id blocks on the uncommitted row and then sees it (200, no second publish).
/// A publish failure rolls the row back (503; the producer's retry is accepted afresh). A crash after
/// the confirm but before the commit leaves the event on the bus unrecorded: the producer saw no 202
/// and retries, the event is published again, and the Runtime dedupes on (event id, workflow).
/// </remarks>
public sealed class IngressStore
{
    private const string Schema = """
        CREATE TABLE IF NOT EXISTS receiver_events (
            event_id    TEXT PRIMARY KEY,
            event_name  TEXT NOT NULL,
            producer    TEXT NOT NULL,
            body_hash   TEXT NOT NULL,
            accepted_at BIGINT NOT NULL
        );
        CREATE TABLE IF NOT EXISTS receiver_webhook_ids (
            producer   TEXT NOT NULL,
            webhook_id TEXT NOT NULL,
            seen_at    BIGINT NOT NULL,
            PRIMARY KEY (producer, webhook_id)
        );
        """;

    private readonly ReceiverDatabase _database;

    public IngressStore(ReceiverDatabase database)
    {
        _database = database;
    }

    /// <summary>
    /// Records <paramref name="candidate"/> and runs <paramref name="publishAsync"/> inside one
    /// transaction. Returns the new record, or the existing one when the id was accepted before.
    /// </summary>
    public async Task<AcceptanceOutcome> AcceptAsync(
        AcceptedEventRecord candidate,
        Func<CancellationToken, Task> publishAsync,
        CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(candidate);
        ArgumentNullException.ThrowIfNull(publishAsync);
        await EnsureSchemaAsync(cancellationToken);
        await using var connection = await OpenAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);

        await using (var insert = Command(connection, transaction, """
            INSERT INTO receiver_events (event_id, event_name, producer, body_hash, accepted_at)
            VALUES (@id, @name, @producer, @hash, @at)
            ON CONFLICT (event_id) DO NOTHING
            """))
        {
            Add(insert, "id", candidate.EventId);
            Add(insert, "name", candidate.EventName);
            Add(insert, "producer", candidate.Producer);
            Add(insert, "hash", candidate.BodyHash);
            Add(insert, "at", candidate.AcceptedAt.ToUnixTimeMilliseconds());
            if (await insert.ExecuteNonQueryAsync(cancellationToken) == 1)
            {
                await publishAsync(cancellationToken);
                await transaction.CommitAsync(cancellationToken);
                return new AcceptanceOutcome(candidate, IsNew: true);
            }
        }

        await using var select = Command(connection, transaction,
            "SELECT event_id, event_name, producer, body_hash, accepted_at FROM receiver_events WHERE event_id = @id");
        Add(select, "id", candidate.EventId);
        await using var reader = await select.ExecuteReaderAsync(cancellationToken);
        if (!await reader.ReadAsync(cancellationToken))
        {
            throw new InvalidOperationException($"event {candidate.EventId} conflicted but was not found");
        }

        var existing = new AcceptedEventRecord(
            reader.GetString(0), reader.GetString(1), reader.GetString(2), reader.GetString(3),
            DateTimeOffset.FromUnixTimeMilliseconds(reader.GetInt64(4)));
        return new AcceptanceOutcome(existing, IsNew: false);
    }

    /// <summary>Records a Standard Webhooks message id; false when it was seen before (a replay).</summary>
    public async Task<bool> TryRecordWebhookIdAsync(string producer, string webhookId, DateTimeOffset seenAt, CancellationToken cancellationToken)
    {
        await EnsureSchemaAsync(cancellationToken);
        await using var connection = await OpenAsync(cancellationToken);
        await using var insert = Command(connection, null, """
            INSERT INTO receiver_webhook_ids (producer, webhook_id, seen_at) VALUES (@producer, @id, @at)
            ON CONFLICT (producer, webhook_id) DO NOTHING
            """);
        Add(insert, "producer", producer);
        Add(insert, "id", webhookId);
        Add(insert, "at", seenAt.ToUnixTimeMilliseconds());
        return await insert.ExecuteNonQueryAsync(cancellationToken) == 1;
    }

    /// <summary>True when a webhook id was recorded before (checked before any work is done).</summary>
    public async Task<bool> WebhookIdSeenAsync(string producer, string webhookId, CancellationToken cancellationToken)
    {
        await EnsureSchemaAsync(cancellationToken);
        await using var connection = await OpenAsync(cancellationToken);
        await using var select = Command(connection, null,
            "SELECT 1 FROM receiver_webhook_ids WHERE producer = @producer AND webhook_id = @id");
        Add(select, "producer", producer);
        Add(select, "id", webhookId);
        return await select.ExecuteScalarAsync(cancellationToken) is not null;
    }

    private Task EnsureSchemaAsync(CancellationToken cancellationToken) => _database.EnsureSchemaAsync(Schema, 7400001, cancellationToken);

    private Task<DbConnection> OpenAsync(CancellationToken cancellationToken) => _database.OpenAsync(cancellationToken);

    private static DbCommand Command(DbConnection connection, DbTransaction? transaction, string sql) => ReceiverDatabase.Command(connection, transaction, sql);

    private static void Add(DbCommand command, string name, object value) => ReceiverDatabase.Add(command, name, value);
}
