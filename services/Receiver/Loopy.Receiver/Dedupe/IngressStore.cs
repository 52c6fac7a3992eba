using System.Data.Common;
using Microsoft.Data.Sqlite;
using Npgsql;

namespace Loopy.Receiver.Dedupe;

/// <summary>
/// The Receiver's durable ingress state: accepted event ids (dedupe) and seen webhook ids (replay).
/// Postgres when <c>ConnectionStrings:postgres</c> is set, SQLite under <c>.loopy/</c> otherwise; the
/// same SQL serves both.
/// </summary>
/// <remarks>
/// Ordering (record-then-publish in one transaction): the event row is inserted, the event is published
/// and confirmed by the bus, and only then is the transaction committed and 202 answered. A concurrent
/// request with the same id blocks on the uncommitted row and then sees it (200, no second publish).
/// A publish failure rolls the row back (503; the producer's retry is accepted afresh). A crash after
/// the confirm but before the commit leaves the event on the bus unrecorded: the producer saw no 202
/// and retries, the event is published again, and the Runtime dedupes on (event id, workflow).
/// </remarks>
public sealed class IngressStore : IAsyncDisposable
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

    private readonly NpgsqlDataSource? _postgres;
    private readonly string? _sqlite;
    private readonly SemaphoreSlim _migrated = new(1, 1);
    private bool _ready;

    private IngressStore(NpgsqlDataSource? postgres, string? sqlite)
    {
        _postgres = postgres;
        _sqlite = sqlite;
    }

    public bool IsPostgres => _postgres is not null;

    public static IngressStore ForPostgres(string connectionString, TimeSpan timeout)
    {
        var builder = new NpgsqlConnectionStringBuilder(connectionString)
        {
            Timeout = Math.Max(1, (int)Math.Ceiling(timeout.TotalSeconds)),
            CommandTimeout = Math.Max(2, (int)Math.Ceiling(timeout.TotalSeconds * 2)),
        };
        return new IngressStore(NpgsqlDataSource.Create(builder.ConnectionString), null);
    }

    public static IngressStore ForSqlite(string databasePath)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(databasePath))!);
        var builder = new SqliteConnectionStringBuilder { DataSource = databasePath, DefaultTimeout = 30, Pooling = true };
        return new IngressStore(null, builder.ConnectionString);
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

    public async ValueTask DisposeAsync()
    {
        if (_postgres is not null)
        {
            await _postgres.DisposeAsync();
        }

        _migrated.Dispose();
    }

    private async Task EnsureSchemaAsync(CancellationToken cancellationToken)
    {
        if (_ready)
        {
            return;
        }

        await _migrated.WaitAsync(cancellationToken);
        try
        {
            if (_ready)
            {
                return;
            }

            await using var connection = await OpenAsync(cancellationToken);
            if (_postgres is not null)
            {
                // Two replicas starting together must not race on CREATE TABLE IF NOT EXISTS.
                await using var lockCommand = Command(connection, null, "SELECT pg_advisory_xact_lock(7400001)");
                await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
                lockCommand.Transaction = (NpgsqlTransaction)transaction;
                await lockCommand.ExecuteNonQueryAsync(cancellationToken);
                await using var create = Command(connection, transaction, Schema);
                await create.ExecuteNonQueryAsync(cancellationToken);
                await transaction.CommitAsync(cancellationToken);
            }
            else
            {
                await using var create = Command(connection, null, "PRAGMA journal_mode=WAL;" + Schema);
                await create.ExecuteNonQueryAsync(cancellationToken);
            }

            _ready = true;
        }
        finally
        {
            _migrated.Release();
        }
    }

    private async Task<DbConnection> OpenAsync(CancellationToken cancellationToken)
    {
        if (_postgres is not null)
        {
            return await _postgres.OpenConnectionAsync(cancellationToken);
        }

        var connection = new SqliteConnection(_sqlite);
        await connection.OpenAsync(cancellationToken);
        return connection;
    }

    private static DbCommand Command(DbConnection connection, DbTransaction? transaction, string sql)
    {
        var command = connection.CreateCommand();
        command.CommandText = sql;
        command.Transaction = transaction;
        return command;
    }

    private static void Add(DbCommand command, string name, object value)
    {
        var parameter = command.CreateParameter();
        parameter.ParameterName = name;
        parameter.Value = value;
        command.Parameters.Add(parameter);
    }
}
